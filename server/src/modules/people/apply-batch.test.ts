import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../test/harness.js";

/**
 * Events falling due together are applied in a batch (applyMany): most in a few statements
 * for all, some one at a time. Whatever the path, the outcome must be what applying each
 * event on its own gives. Two identical teams get the same events; one team's are applied as
 * a batch, the other's one by one, and everything they leave behind is compared.
 */

let h: TestApp;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
let deptId: string;
let otherDeptId: string;
let locId: string;
let n = 0;
const SCHEDULER = { actorLabel: "scheduler" };

beforeAll(async () => {
  h = await startTestApp();
  hr = await h.signedIn(["hr"]);
  deptId = (await hr.post("/api/v1/departments", { name: "Finance" })).json<{ id: string }>().id;
  otherDeptId = (await hr.post("/api/v1/departments", { name: "Sales" })).json<{ id: string }>().id;
  locId = (
    await hr.post("/api/v1/locations", { name: "Cape Town", timeZone: "Africa/Johannesburg", country: "za" })
  ).json<{ id: string }>().id;
});
afterAll(() => h.close());

async function hire(extra: Record<string, unknown> = {}): Promise<string> {
  n++;
  const res = await hr.post("/api/v1/people", {
    employeeNumber: `B${1000 + n}`,
    legalName: `Person ${n}`,
    workEmail: `batch${n}@corp.test`,
    departmentId: deptId,
    locationId: locId,
    status: "active",
    startDate: "2024-01-01",
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

async function schedule(personId: string, body: Record<string, unknown>): Promise<string> {
  const res = await hr.post(`/api/v1/people/${personId}/events`, { effectiveDate: "2099-05-01", ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

/** A team and its events (all scheduled ahead); returns the people by role and the event ids in order. */
async function team() {
  const boss = await hire();
  const newBoss = await hire();
  const leaver = await hire({ managerId: boss });
  const mover = await hire({ managerId: boss });
  const onLeave = await hire();
  const twice = await hire({ managerId: newBoss });
  const refused = await hire();
  const people = { boss, newBoss, leaver, mover, onLeave, twice, refused };
  const events = [
    await schedule(leaver, { type: "termination", terminationType: "involuntary" }),
    await schedule(mover, { type: "transfer", changes: { managerId: newBoss, departmentId: otherDeptId } }),
    await schedule(onLeave, { type: "leave_start" }),
    await schedule(twice, { type: "leave_start" }),
    await schedule(twice, { type: "leave_end" }),
    // Not allowed from active: fails, with its reason, either way.
    await schedule(refused, { type: "leave_end" }),
  ];
  // The moment arrives, in this order.
  for (const [i, id] of events.entries())
    await h.t.db.query(
      "UPDATE person_events SET effective_at = now() - make_interval(secs => $2::int) WHERE id = $1",
      [id, 100 - i],
    );
  return { people, events };
}

/** Everything applying left for a team, with ids and moments taken out, keyed by role. */
async function outcome(people: Record<string, string>, events: string[]) {
  const q = async <T>(sql: string, params: unknown[]) => (await h.t.db.query<T>(sql, params)).rows;
  const role = new Map(Object.entries(people).map(([k, v]) => [v, k]));
  const named = (v: unknown) => (typeof v === "string" && role.has(v) ? `<${role.get(v)}>` : v);
  const out: Record<string, unknown> = {};
  for (const [name, id] of Object.entries(people)) {
    const [p] = await q<Record<string, unknown>>(
      "SELECT status, end_date::text, termination_type, department_id, manager_id, version, user_id FROM people WHERE id = $1",
      [id],
    );
    const [u] = await q<{ disabled: boolean; roles: string[] | null }>(
      `SELECT u.disabled, (SELECT array_agg(role ORDER BY role) FROM user_roles r WHERE r.user_id = u.id) AS roles
       FROM users u WHERE u.id = $1`,
      [p?.user_id],
    );
    const history = await q<{ version: number; snapshot: Record<string, unknown>; event: boolean }>(
      "SELECT version, snapshot, event_id IS NOT NULL AS event FROM person_history WHERE person_id = $1 ORDER BY version",
      [id],
    );
    const audit = await q<{ action: string; outcome: string; details: Record<string, unknown> }>(
      `SELECT action, outcome, details FROM audit_log
       WHERE (target_id = $1 OR target_id = $2) AND actor_label = 'scheduler' ORDER BY action, seq`,
      [id, p?.user_id],
    );
    const evs = await q<{ type: string; state: string; error: string | null }>(
      "SELECT type, state, error FROM person_events WHERE person_id = $1 AND id = ANY ($2) ORDER BY effective_at",
      [id, events],
    );
    const { user_id, ...record } = p ?? {};
    out[name] = {
      record: { ...record, manager_id: named(record.manager_id), linked: Boolean(user_id) },
      account: u,
      history: history.map((x) => ({
        version: x.version,
        event: x.event,
        status: x.snapshot.status,
        manager: named(x.snapshot.manager_id),
        department: x.snapshot.department_name,
        end: x.snapshot.end_date,
        termination: x.snapshot.termination_type,
      })),
      audit: audit.map((a) => ({
        action: a.action,
        outcome: a.outcome,
        from: a.details.from,
        to: a.details.to,
        error: a.details.error,
        sessionsEnded: a.details.sessionsEnded,
      })),
      events: evs,
    };
  }
  // What the subscribers are told: every queued domain event about the team, in a stable order.
  const jobs = await q<{ name: string; data: { type?: string; payload?: object; payloads?: object[] } }>(
    `SELECT name, data FROM ${h.t.jobs.schema}.job WHERE name LIKE 'event.%'`,
    [],
  );
  out.published = jobs
    .flatMap((j) =>
      (j.data.payloads ?? [j.data.payload]).map((p) => ({ queue: j.name, type: j.data.type, p })),
    )
    .map(({ queue, type, p }) => {
      const x = p as Record<string, unknown>;
      if (!role.has(x.personId as string)) return null;
      return JSON.stringify({
        queue,
        type,
        ...Object.fromEntries(
          Object.entries(x)
            .filter(([k]) => k !== "eventId" && k !== "effectiveAt" && k !== "employeeNumber")
            .map(([k, v]) => [k, named(v)]),
        ),
      });
    })
    .filter((x): x is string => x !== null)
    .sort();
  return out;
}

describe("applying events falling due together", () => {
  it("leaves the same records, history, accounts, audit entries and domain events as applying each alone", async () => {
    const batch = await team();
    const single = await team();

    const applied = await h.t.db.tx((q) => h.t.people.applyMany(q, SCHEDULER, [...batch.events].reverse()));
    expect(applied).toBe(batch.events.length);
    for (const id of single.events) await h.t.db.tx((q) => h.t.people.apply(q, SCHEDULER, id));

    const a = await outcome(batch.people, batch.events);
    const b = await outcome(single.people, single.events);
    expect(a).toEqual(b);
    // And it is the outcome meant, not two equal mistakes.
    const leaver = a.leaver as {
      record: { status: string; termination_type: string };
      account: { disabled: boolean };
    };
    expect(leaver.record.status).toBe("leaver");
    expect(leaver.record.termination_type).toBe("involuntary");
    expect(leaver.account.disabled).toBe(true);
    expect((a.mover as { record: { manager_id: string } }).record.manager_id).toBe("<newBoss>");
    expect((a.boss as { account: { roles: string[] } }).account.roles).toEqual(["employee"]);
    expect((a.newBoss as { account: { roles: string[] } }).account.roles).toEqual(["employee", "manager"]);
    expect((a.twice as { record: { status: string } }).record.status).toBe("active");
    expect((a.refused as { events: { state: string }[] }).events.map((e) => e.state)).toEqual(["failed"]);
    expect((a.published as string[]).some((x) => x.includes('"person.terminated"'))).toBe(true);
  });
});
