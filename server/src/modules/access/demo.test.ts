import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFirstAdmin, FIRST_ADMIN_EMAIL } from "../../platform/auth/index.js";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { type DemoResult, seedPeopleDemo } from "../people/index.js";
import { secretsAad } from "./connectors.js";
import { DEMO_APP_PATH } from "./demo-app.js";
import { type AccessDemoResult, seedAccessDemo } from "./index.js";

/**
 * The access part of `tandem demo`, on a real app listening on loopback: the demo SCIM
 * application Tandem serves itself is provisioned and revoked through the SCIM connector,
 * one leaver is carried out to a verified certificate, and a request and a review campaign
 * are waiting for people. Nothing here talks to the demo app except over HTTP.
 */
let h: TestApp;
let people: DemoResult;
let result: AccessDemoResult;
let base: string;
const CTX = { actorLabel: "test" };

async function adminId() {
  const r = await h.t.db.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [FIRST_ADMIN_EMAIL]);
  return r.rows[0]!.id;
}

beforeAll(async () => {
  h = await startTestApp();
  await ensureFirstAdmin(h.t.db, h.t.auth);
  people = await seedPeopleDemo(
    {
      db: h.t.db,
      people: h.t.people,
      envelope: h.t.envelope,
      auth: h.t.auth,
      checksRetentionDays: h.config.TANDEM_CHECKS_RETENTION_DAYS,
    },
    {},
  );
  base = (await h.t.app.listen({ host: "127.0.0.1", port: 0 })).replace("localhost", "127.0.0.1");
  result = await seedAccessDemo(
    { app: h.t.app, db: h.t.db, access: h.t.access, publicUrl: base },
    people.ids,
    {
      ctx: CTX,
      adminUserId: await adminId(),
    },
  );
}, 300_000);
afterAll(() => h.close());

interface ScimUser {
  id: string;
  userName: string;
  active: boolean;
  groups: { display: string }[];
}

async function demoApp(token: string | null, path = "/Users?count=1000") {
  return fetch(`${base}${DEMO_APP_PATH}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

async function demoAppToken(): Promise<string> {
  // The system's secret is write-only in the API: read it the way the engine does.
  const sys = await h.t.db.query<{ id: string; secrets_enc: string }>(
    "SELECT id, secrets_enc FROM systems WHERE connector_type = 'scim-app'",
  );
  const row = sys.rows[0]!;
  return (JSON.parse(h.t.envelope.decrypt(row.secrets_enc, secretsAad(row.id))) as { bearerToken: string })
    .bearerToken;
}

describe("the access demo", () => {
  it("adds the demo app and manual systems, profiles and a separation-of-duties rule", async () => {
    expect(result.alreadySeeded).toBe(false);
    const sec = await h.signedIn(["security"]);
    const systems = (await sec.get("/api/v1/access/systems")).json<{
      items: { name: string; connectorType: string }[];
    }>();
    expect(systems.items.map((s) => `${s.name}:${s.connectorType}`).sort()).toEqual([
      "Laptops and phones:manual",
      "Office badges:manual",
      "Workplace suite (demo app):scim-app",
    ]);
    const profiles = (await sec.get("/api/v1/access/profiles")).json<{ items: { name: string }[] }>();
    expect(profiles.items.map((p) => p.name).sort()).toEqual([
      "Engineering",
      "Everyone",
      "Finance approvers",
    ]);
    const rules = (await sec.get("/api/v1/access/sod-rules")).json<{
      items: { name: string; mode: string }[];
    }>();
    expect(rules.items).toEqual([expect.objectContaining({ name: "Approve and pay", mode: "exception" })]);
  });

  it("serves a SCIM app that refuses callers without its token and holds the provisioned accounts", async () => {
    expect((await demoApp(null)).status).toBe(401);
    expect((await demoApp("demo_wrong")).status).toBe(401);
    const res = await demoApp(await demoAppToken());
    expect(res.status).toBe(200);
    const users = ((await res.json()) as { Resources: ScimUser[] }).Resources;
    const employee = people.ids.people.find((p) => p.id === people.ids.accounts.employee.personId)!;
    const theirs = users.find((u) => u.userName === employee.workEmail);
    expect(theirs?.active).toBe(true);
    expect(theirs?.groups.map((g) => g.display)).toContain("app-users");
  });

  it("carries one leaver out to the end: the app account disabled and out of its groups, a certificate that verifies", async () => {
    expect(result.leaver?.certificateId).toBeTruthy();
    const leaver = people.ids.people.find((p) => p.employeeNumber === result.leaver!.employeeNumber)!;
    const users = (
      (await (await demoApp(await demoAppToken())).json()) as {
        Resources: ScimUser[];
      }
    ).Resources;
    const account = users.find((u) => u.userName === leaver.workEmail);
    expect(account?.active).toBe(false);
    expect(account?.groups).toEqual([]);
    const auditor = await h.signedIn(["auditor"]);
    const cert = await auditor.get(`/api/v1/access/certificates/${result.leaver!.certificateId}`);
    expect(cert.statusCode, cert.body).toBe(200);
    expect(cert.json()).toMatchObject({ verified: true });
    const tasks = await h.t.db.query<{ state: string }>(
      "SELECT state FROM access_tasks WHERE person_id = $1",
      [leaver.id],
    );
    expect(tasks.rows.length).toBeGreaterThan(0);
    expect(tasks.rows.every((t) => t.state === "done")).toBe(true);
  });

  it("leaves a request waiting for the manager and a review campaign running", async () => {
    const requests = await h.t.db.query<{ state: string }>("SELECT state FROM access_requests");
    expect(requests.rows).toHaveLength(1);
    expect(requests.rows[0]!.state).toBe("pending");
    const campaigns = await h.t.db.query<{ state: string; items: number }>(
      "SELECT c.state, (SELECT count(*)::int FROM access_review_items i WHERE i.campaign_id = c.id) AS items FROM access_review_campaigns c",
    );
    expect(campaigns.rows).toEqual([expect.objectContaining({ state: "active" })]);
    expect(campaigns.rows[0]!.items).toBeGreaterThan(0);
  });

  it("adds nothing when run again", async () => {
    const again = await seedAccessDemo(
      { app: h.t.app, db: h.t.db, access: h.t.access, publicUrl: base },
      people.ids,
      {
        ctx: CTX,
        adminUserId: await adminId(),
      },
    );
    expect(again.alreadySeeded).toBe(true);
    const n = await h.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM systems");
    expect(n.rows[0]!.n).toBe(3);
  });
});
