import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../../test/harness.js";
import { signatureHeader } from "./signature.js";

/** Signed HR webhooks, sent over real HTTP to the app on a loopback port. */

const URL_PATH = "/api/v1/people/webhooks/hr";

let h: TestApp;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
let origin: string;
let secret: string;
let n = 0;

beforeAll(async () => {
  h = await startTestApp();
  origin = await h.t.app.listen({ host: "127.0.0.1", port: 0 });
  hr = await h.signedIn(["hr"]);
  for (const name of ["Finance", "Engineering"]) {
    expect((await hr.post("/api/v1/departments", { name })).statusCode).toBe(201);
  }
});
afterAll(() => h.close());

interface Sent {
  status: number;
  body: Record<string, unknown> & { code?: string; errors?: { path: string; message: string }[] };
  contentType: string | null;
}

async function post(
  rawBody: string,
  o: { secret?: string; timestamp?: number; signature?: string; sign?: string } = {},
): Promise<Sent> {
  const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const sig = o.signature ?? signatureHeader(o.secret ?? secret, ts, o.sign ?? rawBody);
  const res = await fetch(`${origin}${URL_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-tandem-timestamp": ts, "x-tandem-signature": sig },
    body: rawBody,
  });
  return {
    status: res.status,
    body: (await res.json()) as Sent["body"],
    contentType: res.headers.get("content-type"),
  };
}

const delivery = (type: string, data: Record<string, unknown>, id = `d-${++n}`) =>
  JSON.stringify({ id, type, occurredAt: new Date().toISOString(), data });

const personByNumber = async (employeeNumber: string) => {
  const r = await h.t.db.query<{
    id: string;
    status: string;
    department_id: string | null;
    legal_name: string;
  }>("SELECT id, status, department_id, legal_name FROM people WHERE employee_number = $1", [employeeNumber]);
  return r.rows[0];
};

describe("settings", () => {
  it("keeps the secret write-only: generated once, then only 'set'; needs people:webhook_admin", async () => {
    expect((await h.client().get("/api/v1/settings/hr-webhook")).statusCode).toBe(401);
    const it = await h.signedIn(["it"]);
    expect((await it.get("/api/v1/settings/hr-webhook")).statusCode).toBe(403);
    const before = (await hr.get("/api/v1/settings/hr-webhook")).json();
    expect(before).toMatchObject({ enabled: false, secretSet: false, toleranceSeconds: 300 });
    expect((await hr.put("/api/v1/settings/hr-webhook", { enabled: true })).json().code).toBe(
      "webhook.secret_required",
    );
    const short = await hr.put("/api/v1/settings/hr-webhook", { enabled: true, secret: "short" });
    expect(short.statusCode).toBe(400);
    expect(short.json<{ errors: { path: string }[] }>().errors[0]?.path).toMatch(/secret/);

    const made = await hr.put("/api/v1/settings/hr-webhook", { enabled: true, generateSecret: true });
    expect(made.statusCode, made.body).toBe(200);
    secret = made.json<{ secret: string }>().secret;
    expect(secret.length).toBeGreaterThanOrEqual(40);
    const after = await hr.get("/api/v1/settings/hr-webhook");
    expect(after.json()).toMatchObject({ enabled: true, secretSet: true });
    expect(after.body).not.toContain(secret);
    const stored = await h.t.db.query<{ secret_enc: string; value: unknown }>(
      "SELECT secret_enc, value FROM settings WHERE key = 'hr_webhook'",
    );
    expect(stored.rows[0]?.secret_enc).toBeTruthy();
    expect(JSON.stringify(stored.rows[0])).not.toContain(secret);
    const audit = await h.t.db.query<{ details: Record<string, unknown> }>(
      "SELECT details FROM audit_log WHERE action = 'settings.hr_webhook_changed' ORDER BY seq DESC LIMIT 1",
    );
    expect(audit.rows[0]?.details).toMatchObject({ enabled: true, generated: true });
    expect(JSON.stringify(audit.rows[0])).not.toContain(secret);
  });
});

describe("deliveries", () => {
  it("a valid person.hired applies through the People service and is audited", async () => {
    const body = delivery("person.hired", {
      employeeNumber: "W100",
      legalName: "Wanda Hook",
      workEmail: "wanda@corp.test",
      department: "finance",
      status: "active",
      startDate: "2024-03-01",
    });
    const res = await post(body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ duplicate: false, personId: expect.any(String) });
    const p = await personByNumber("W100");
    expect(p).toMatchObject({ status: "active", legal_name: "Wanda Hook" });
    const view = (await hr.get(`/api/v1/people/${p?.id}`)).json();
    expect(view).toMatchObject({ departmentName: "Finance", workEmail: "wanda@corp.test" });
    const audit = await h.t.db.query<{
      action: string;
      actor_label: string;
      details: Record<string, unknown>;
    }>("SELECT action, actor_label, details FROM audit_log WHERE target_id = $1 ORDER BY seq", [p?.id]);
    const actions = audit.rows.map((r) => r.action);
    expect(actions).toContain("person.created");
    expect(actions).toContain("webhook.delivery_applied");
    expect(audit.rows.find((r) => r.action === "person.created")?.details).toMatchObject({
      source: "webhook",
    });
    expect(audit.rows.find((r) => r.action === "webhook.delivery_applied")).toMatchObject({
      actor_label: "hr webhook",
      details: { type: "person.hired" },
    });
  });

  it("applies updated, transferred, resigned and terminated events with source webhook", async () => {
    await post(
      delivery("person.hired", {
        employeeNumber: "W200",
        legalName: "Tom Move",
        workEmail: "tom@corp.test",
        status: "active",
        department: "Finance",
      }),
    );
    const upd = await post(delivery("person.updated", { employeeNumber: "W200", legalName: "Thomas Move" }));
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    expect((await personByNumber("W200"))?.legal_name).toBe("Thomas Move");

    const tr = await post(
      delivery("person.transferred", { employeeNumber: "W200", department: "Engineering" }),
    );
    expect(tr.status, JSON.stringify(tr.body)).toBe(200);
    const person = (await hr.get(`/api/v1/people/${tr.body.personId}`)).json();
    expect(person.departmentName).toBe("Engineering");

    const rs = await post(
      delivery("person.resigned", { employeeNumber: "W200", lastWorkingDay: "2099-12-31" }),
    );
    expect(rs.status, JSON.stringify(rs.body)).toBe(200);
    expect((await personByNumber("W200"))?.status).toBe("notice");

    const tm = await post(
      delivery("person.terminated", {
        employeeNumber: "W200",
        terminationType: "involuntary",
        reason: "gross",
      }),
    );
    expect(tm.status, JSON.stringify(tm.body)).toBe(200);
    expect((await personByNumber("W200"))?.status).toBe("leaver");
    const events = (await hr.get(`/api/v1/people/${tr.body.personId}/events`)).json<{
      items: { type: string; source: string; state: string }[];
    }>();
    const applied = events.items.filter((e) => e.state === "applied").map((e) => `${e.type}:${e.source}`);
    expect(applied).toEqual(
      expect.arrayContaining(["transfer:webhook", "resignation:webhook", "termination:webhook"]),
    );
  });

  it("ignores a replayed delivery id: 200 duplicate, nothing applied twice", async () => {
    const body = delivery("person.hired", {
      employeeNumber: "W300",
      legalName: "Rita Replay",
      workEmail: "rita@corp.test",
    });
    expect((await post(body)).body.duplicate).toBe(false);
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true });
    const count = await h.t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'webhook.delivery_applied' AND details->>'deliveryId' = $1",
      [JSON.parse(body).id],
    );
    expect(count.rows[0]?.n).toBe(1);
    // The same id with a different body (freshly signed) is still the same delivery.
    const sameId = delivery(
      "person.updated",
      { employeeNumber: "W300", legalName: "Changed" },
      JSON.parse(body).id,
    );
    expect((await post(sameId)).body.duplicate).toBe(true);
    expect((await personByNumber("W300"))?.legal_name).toBe("Rita Replay");
  });

  it("refuses a tampered body, a wrong signature, a wrong secret and a moved timestamp", async () => {
    const body = delivery("person.hired", {
      employeeNumber: "W400",
      legalName: "Eve",
      workEmail: "eve@corp.test",
    });
    const tampered = await post(body.replace("Eve", "Mallory"), { sign: body });
    expect([tampered.status, tampered.body.code]).toEqual([401, "webhook.bad_signature"]);
    expect(tampered.contentType).toMatch(/^application\/problem\+json/);
    const garbage = await post(body, { signature: `sha256=${"0".repeat(64)}` });
    expect([garbage.status, garbage.body.code]).toEqual([401, "webhook.bad_signature"]);
    const malformed = await post(body, { signature: "md5=abc" });
    expect([malformed.status, malformed.body.code]).toEqual([401, "webhook.bad_signature"]);
    const otherSecret = await post(body, { secret: "x".repeat(40) });
    expect([otherSecret.status, otherSecret.body.code]).toEqual([401, "webhook.bad_signature"]);
    // Signed for one timestamp, sent with another: the signature no longer matches.
    const now = Math.floor(Date.now() / 1000);
    const moved = await post(body, {
      timestamp: now + 1,
      signature: signatureHeader(secret, String(now), body),
    });
    expect([moved.status, moved.body.code]).toEqual([401, "webhook.bad_signature"]);
    // Correctly signed but too old or too far ahead: stale.
    const old = await post(body, { timestamp: now - 301 });
    expect([old.status, old.body.code]).toEqual([401, "webhook.stale"]);
    const ahead = await post(body, { timestamp: now + 400 });
    expect([ahead.status, ahead.body.code]).toEqual([401, "webhook.stale"]);
    expect(await personByNumber("W400")).toBeUndefined();
    const noHeaders = await fetch(`${origin}${URL_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(noHeaders.status).toBe(401);
    const rejected = await h.t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'webhook.delivery_rejected' AND outcome = 'denied'",
    );
    expect(rejected.rows[0]?.n).toBeGreaterThanOrEqual(7);
    // The stale attempt did not use up the delivery id: sent properly, it applies.
    expect((await post(body)).status).toBe(200);
    expect(await personByNumber("W400")).toBeDefined();
  });

  it("names the field of a bad payload; an unknown type is 422; nothing is recorded", async () => {
    const missing = await post(
      delivery("person.hired", { legalName: "No Number", workEmail: "nn@corp.test" }),
    );
    expect([missing.status, missing.body.code]).toEqual([422, "webhook.invalid_payload"]);
    expect(missing.body.errors?.map((e) => e.path)).toContain("data.employeeNumber");
    const badEmail = await post(
      delivery("person.hired", { employeeNumber: "W500", legalName: "X", workEmail: "not-an-email" }),
    );
    expect(badEmail.body.errors?.map((e) => e.path)).toContain("data.workEmail");
    const extra = await post(
      delivery("person.terminated", { employeeNumber: "W100", terminationType: "x", shoe: 1 }),
    );
    expect(extra.body.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(["data.terminationType", "data.shoe"]),
    );
    const envelope = await post(JSON.stringify({ id: "e-1", type: "person.hired", data: {} }));
    expect(envelope.body.errors?.map((e) => e.path)).toContain("occurredAt");
    const unknownType = await post(delivery("person.promoted", { employeeNumber: "W100" }));
    expect([unknownType.status, unknownType.body.code]).toEqual([422, "webhook.unknown_type"]);
    const unknownPerson = await post(
      delivery("person.terminated", { employeeNumber: "NOPE", terminationType: "voluntary" }),
    );
    expect([unknownPerson.status, unknownPerson.body.code]).toEqual([422, "webhook.unknown_person"]);
    expect(unknownPerson.body.errors?.[0]?.path).toBe("data.employeeNumber");
    const unknownDept = await post(
      delivery("person.transferred", { employeeNumber: "W100", department: "Astrology" }),
    );
    expect([unknownDept.status, unknownDept.body.code]).toEqual([422, "webhook.unknown_reference"]);
    expect(unknownDept.body.errors?.[0]?.path).toBe("data.department");
    const notJson = await post("{nope");
    expect([notJson.status, notJson.body.code]).toEqual([400, "request.malformed_json"]);
    // A refused delivery leaves no receipt, so the sender can fix it and send it again.
    const fixedId = "retry-me";
    const first = await post(
      delivery("person.hired", { legalName: "Later", workEmail: "later@corp.test" }, fixedId),
    );
    expect(first.status).toBe(422);
    const fixed = await post(
      delivery(
        "person.hired",
        { employeeNumber: "W600", legalName: "Later", workEmail: "later@corp.test" },
        fixedId,
      ),
    );
    expect(fixed.body).toMatchObject({ duplicate: false });
  });

  it("answers 404 webhook.not_configured once disabled", async () => {
    expect((await hr.put("/api/v1/settings/hr-webhook", { enabled: false })).statusCode).toBe(200);
    const res = await post(
      delivery("person.hired", { employeeNumber: "W700", legalName: "Y", workEmail: "y@corp.test" }),
    );
    expect([res.status, res.body.code]).toEqual([404, "webhook.not_configured"]);
    expect((await hr.put("/api/v1/settings/hr-webhook", { enabled: true })).json().secretSet).toBe(true);
    const ok = await post(
      delivery("person.hired", { employeeNumber: "W700", legalName: "Y", workEmail: "y@corp.test" }),
    );
    expect(ok.status).toBe(200);
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After when a sender posts too fast", async () => {
    const slow = await startTestApp({ TANDEM_RATE_LIMIT_PER_MINUTE: "3" });
    try {
      const at = await slow.t.app.listen({ host: "127.0.0.1", port: 0 });
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${at}${URL_PATH}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get("retry-after");
      }
      expect(statuses).toEqual([404, 404, 404, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await slow.close();
    }
  });
});
