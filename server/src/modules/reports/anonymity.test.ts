import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../platform/log/index.js";
import { startTestApp, type TestApp, type TestClient } from "../../test/harness.js";

/**
 * Anonymous reporting: after an anonymous report and a two-way conversation, neither the
 * database (every table, the job queue included) nor the logs hold the reporter's address,
 * browser or account; follow-up codes are long, hashed, and guessing them is slowed down
 * for everyone without identifying anyone.
 */

const IP = "198.51.100.77";
const UA = "Mozilla/5.0 (Marker-UA-5f1c9e)";
let h: TestApp;
let logs = "";
let sec: TestClient & { userId: string };
let emp: TestClient & { userId: string };

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs += chunk.toString();
      cb();
    },
  });
  h = await startTestApp(
    { TANDEM_REPORT_LOOKUP_PER_MINUTE: "12", TANDEM_REPORT_ANON_PER_MINUTE: "4" },
    { log: createLogger("trace", sink) },
  );
  sec = await h.signedIn(["security"]);
  emp = await h.signedIn(["employee"]);
});
afterAll(() => h.close());

/** A request from the anonymous reporter's browser: their address and user agent, and (careless) their session cookie. */
function fromReporter(c: TestClient, url: string, payload: unknown) {
  return c.request({
    method: "POST",
    url,
    payload: payload as object,
    remoteAddress: IP,
    headers: { "user-agent": UA },
  });
}

async function tablesContaining(needle: string): Promise<string[]> {
  const schemas = [h.t.jobs.schema];
  const mine = await h.t.db.query<{ s: string }>("SELECT current_schema() AS s");
  schemas.push(mine.rows[0]!.s);
  const tables = await h.t.db.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
     WHERE table_schema = ANY ($1::text[]) AND table_type = 'BASE TABLE'`,
    [schemas],
  );
  const hits: string[] = [];
  for (const t of tables.rows) {
    const r = await h.t.db.query(`SELECT 1 FROM "${t.schema}"."${t.name}" x WHERE x::text ILIKE $1 LIMIT 1`, [
      `%${needle}%`,
    ]);
    if (r.rowCount) hits.push(`${t.schema}.${t.name}`);
  }
  return hits;
}

let code = "";
let reportId = "";

describe("an anonymous report and its conversation", () => {
  it("gives a long follow-up code once and stores only its hash, with no account even when signed in", async () => {
    // The reporter happens to be signed in: the anonymous route ignores the session entirely.
    const r = await fromReporter(emp, "/api/v1/reports/anonymous", {
      title: "Someone at the server room door",
      description: "A person without a badge tried the server room door twice.",
      details: { category: "suspicious_behaviour", where: "Floor 3", ongoing: false },
    });
    expect(r.statusCode, r.body).toBe(201);
    const t = r.json<{ id: string; followUpCode: string; selfHelp: string[] }>();
    code = t.followUpCode;
    reportId = t.id;
    expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$/);
    const row = await h.t.db.query<{
      reporter_user_id: string | null;
      anonymous: boolean;
      followup_hash: string;
    }>("SELECT reporter_user_id, anonymous, followup_hash FROM reports WHERE id = $1", [reportId]);
    expect(row.rows[0]!.anonymous).toBe(true);
    expect(row.rows[0]!.reporter_user_id).toBeNull();
    expect(row.rows[0]!.followup_hash).not.toContain(code.replace(/-/g, ""));
    expect((await emp.get("/api/v1/reports/mine")).json<{ items: unknown[] }>().items).toEqual([]);
  });

  it("lets Security ask and the reporter read and answer with the code alone", async () => {
    const ask = await sec.post(`/api/v1/reports/${reportId}/messages`, {
      body: "Which door exactly, and when?",
    });
    expect(ask.statusCode, ask.body).toBe(200);
    const anon = h.client();
    const seen = await fromReporter(anon, "/api/v1/reports/follow-up", { code: code.toLowerCase() });
    expect(seen.statusCode, seen.body).toBe(200);
    const view = seen.json<{
      status: string;
      statusText: string;
      messages: { author: string; authorName: string; body: string }[];
    }>();
    expect(view.status).toBe("waiting_for_reporter");
    expect(view.messages).toEqual([
      expect.objectContaining({
        author: "security",
        authorName: "Security team",
        body: "Which door exactly, and when?",
      }),
    ]);
    const answer = await fromReporter(anon, "/api/v1/reports/follow-up/messages", {
      code,
      body: "The one next to the lifts, around 9 this morning.",
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json<{ status: string }>().status).toBe("in_review");
    const detail = await sec.get(`/api/v1/reports/${reportId}`);
    const d = detail.json<{
      reporterName: string | null;
      reporterEmail: string | null;
      messages: { author: string }[];
    }>();
    expect(d.reporterName).toBeNull();
    expect(d.reporterEmail).toBeNull();
    expect(d.messages.map((m) => m.author)).toEqual(["security", "reporter"]);
    await sec.post(`/api/v1/reports/${reportId}/close`, {
      outcome: "We found the visitor and escorted them out. Thank you.",
    });
    const closed = await fromReporter(anon, "/api/v1/reports/follow-up", { code });
    expect(closed.json<{ status: string; outcome: string }>()).toMatchObject({
      status: "closed",
      outcome: "We found the visitor and escorted them out. Thank you.",
    });
  });

  it("leaves no address, browser, account or code in any table or log line", async () => {
    expect(await tablesContaining(IP)).toEqual([]);
    expect(await tablesContaining("Marker-UA-5f1c9e")).toEqual([]);
    expect(await tablesContaining(code)).toEqual([]);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain("/api/v1/reports/follow-up");
    expect(logs).not.toContain(IP);
    expect(logs).not.toContain("Marker-UA");
    expect(logs).not.toContain(code);
    expect(logs).not.toContain(code.replace(/-/g, ""));
    const audit = await h.t.db.query<{
      actor_id: string | null;
      actor_label: string;
      ip: string | null;
      user_agent: string | null;
    }>(
      "SELECT actor_id, actor_label, ip, user_agent FROM audit_log WHERE target_id = $1 AND action IN ('report.received', 'report.reporter_replied')",
      [reportId],
    );
    expect(audit.rows).toHaveLength(2);
    for (const a of audit.rows)
      expect(a).toEqual({ actor_id: null, actor_label: "anonymous reporter", ip: null, user_agent: null });
    const events = await h.t.db.query(
      `SELECT data::text AS d FROM "${h.t.jobs.schema}".job WHERE data::text LIKE $1`,
      [`%${emp.userId}%`],
    );
    expect(events.rowCount).toBe(0);
  });
});

describe("limits that need no identity", () => {
  it("refuses a flood of anonymous reports with 429 and Retry-After, storing nothing for the refused", async () => {
    const before = Number(
      (await h.t.db.query<{ n: string }>("SELECT count(*)::text AS n FROM reports")).rows[0]!.n,
    );
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 8; i++) {
      const r = await h
        .client()
        .post("/api/v1/reports/anonymous", { title: `Flood ${i}`, details: { category: "other" } });
      statuses.push(r.statusCode);
      if (r.statusCode === 429) retryAfter = r.headers["retry-after"];
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const after = Number(
      (await h.t.db.query<{ n: string }>("SELECT count(*)::text AS n FROM reports")).rows[0]!.n,
    );
    expect(after - before).toBe(statuses.filter((s) => s === 201).length);
    expect(after - before).toBeLessThan(8);
  });

  it("slows everyone down under a guessing flood; the right code works again once the bucket refills", async () => {
    const results: number[] = [];
    for (let i = 0; i < 30; i++) {
      const guess = `${"0123456789ABCDEFGHJKMNPQRSTVWXYZ"[i % 32]!.repeat(4)}-`.repeat(7).slice(0, 34);
      const r = await h.client().post("/api/v1/reports/follow-up", { code: guess });
      results.push(r.statusCode);
    }
    // Wrong codes are 404 until the shared bucket is empty, then 429 for everybody.
    expect(results.slice(0, 2)).toEqual([404, 404]);
    expect(results.slice(-10).every((s) => s === 429)).toBe(true);
    const blocked = await h.client().post("/api/v1/reports/follow-up", { code });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    // Time passes (the bucket's clock is moved back rather than waiting).
    await h.t.db.query("UPDATE report_rate_buckets SET updated_at = updated_at - interval '5 minutes'");
    const ok = await h.client().post("/api/v1/reports/follow-up", { code });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<{ id: string }>().id).toBe(reportId);
  });
});
