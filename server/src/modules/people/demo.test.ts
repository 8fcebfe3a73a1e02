import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../../platform/db/index.js";
import { startTestApp, type TestApp, type TestClient, tempDir } from "../../test/harness.js";
import { planDemo } from "./demo-plan.js";
import { type DemoResult, seedPeopleDemo } from "./index.js";

/**
 * `tandem demo`'s seed, written through the People service into a real app: the organisation
 * it builds, what the API shows of it, the demo sign-ins, and that a second run adds nothing.
 */

let h: TestApp;
let first: DemoResult;
const deps = () => ({
  db: h.t.db,
  people: h.t.people,
  envelope: h.t.envelope,
  auth: h.t.auth,
  checksRetentionDays: h.config.TANDEM_CHECKS_RETENTION_DAYS,
});
const progress: [number, number][] = [];

beforeAll(async () => {
  h = await startTestApp();
  first = await seedPeopleDemo(deps(), { onProgress: (done, total) => progress.push([done, total]) });
  console.log(`demo seed: ${first.counts.people} people in ${first.seconds} s`);
}, 240_000);
afterAll(() => h.close());

type Person = {
  id: string;
  status: string;
  employmentType: string;
  managerId: string | null;
  departmentId: string | null;
  highRisk?: boolean;
};

async function everyone(c: TestClient, query = ""): Promise<Person[]> {
  const out: Person[] = [];
  let cursor: string | null = null;
  do {
    const res = await c.get(`/api/v1/people?limit=200${query}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json<{ items: Person[]; nextCursor: string | null }>();
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Signs in with a demo account's one-time setup link, as a person exploring the demo would. */
async function signInWithLink(setupUrl: string) {
  const c = h.client();
  c.csrf = (await c.get("/api/v1/auth/csrf")).json<{ csrfToken: string }>().csrfToken;
  const token = new URL(setupUrl).searchParams.get("token");
  const res = await c.post("/api/v1/auth/setup", { token, password: "a demo passphrase to explore" });
  expect(res.statusCode, res.body).toBe(200);
  c.csrf = res.json<{ csrfToken: string }>().csrfToken;
  return c;
}

describe("the demo organisation", () => {
  it("has 250 people in 8 departments with heads, 30 job roles with levels and 4 locations", async () => {
    expect(first.alreadySeeded).toBe(false);
    expect(first.counts).toMatchObject({ people: 250, departments: 8, jobRoles: 30, locations: 4 });
    expect(progress.at(-1)).toEqual([250, 250]);
    expect(progress.map(([done]) => done)).toEqual([0, 50, 100, 150, 200, 250]);
    const hr = await h.signedIn(["hr"]);
    const depts = (await hr.get("/api/v1/departments")).json<{
      items: {
        id: string;
        name: string;
        parentId: string | null;
        headPersonId: string | null;
        headcount: number;
      }[];
    }>().items;
    expect(depts.map((d) => d.name).sort()).toEqual(
      ["Engineering", "Finance", "IT", "Legal", "Operations", "People & Culture", "Sales", "Security"].sort(),
    );
    expect(depts.every((d) => d.headPersonId && d.headcount > 0)).toBe(true);
    const it = depts.find((d) => d.name === "IT")!;
    expect(it.parentId).toBe(depts.find((d) => d.name === "Operations")!.id);
    const roles = (await hr.get("/api/v1/job-roles")).json<{ items: { level: string | null }[] }>().items;
    expect(roles).toHaveLength(30);
    expect(roles.every((r) => r.level)).toBe(true);
    const locs = (await hr.get("/api/v1/locations")).json<{ items: { timeZone: string }[] }>().items;
    expect(locs.map((l) => l.timeZone).sort()).toEqual([
      "Africa/Johannesburg",
      "Europe/Amsterdam",
      "Europe/London",
      "UTC",
    ]);
  });

  it("forms one reporting tree under the CEO, whom every top-level department head reports to", async () => {
    const r = await h.t.db.query<{ id: string; manager_id: string | null; depth: number }>(
      `WITH RECURSIVE tree(id, depth) AS (SELECT id, 0 FROM people WHERE manager_id IS NULL
         UNION ALL SELECT p.id, t.depth + 1 FROM people p JOIN tree t ON p.manager_id = t.id WHERE t.depth < 20)
       SELECT t.id, p.manager_id, t.depth FROM tree t JOIN people p ON p.id = t.id`,
    );
    expect(r.rows).toHaveLength(250);
    expect(r.rows.filter((x) => x.manager_id === null).map((x) => x.id)).toEqual([first.ids.ceo]);
    expect(Math.max(...r.rows.map((x) => x.depth))).toBeGreaterThanOrEqual(3);
    const heads = await h.t.db.query<{ name: string; manager_id: string }>(
      "SELECT d.name, p.manager_id FROM departments d JOIN people p ON p.id = d.head_person_id WHERE d.parent_id IS NULL",
    );
    expect(heads.rows).toHaveLength(7);
    expect(heads.rows.every((x) => x.manager_id === first.ids.ceo)).toBe(true);
  });

  it("lists everyone in the directory with a lifecycle mix and mixed employment types", async () => {
    const hr = await h.signedIn(["hr"]);
    const all = await everyone(hr);
    expect(all).toHaveLength(250);
    const count = (k: keyof Person, v: unknown) => all.filter((p) => p[k] === v).length;
    expect(count("status", "pre_hire")).toBe(8);
    expect(count("status", "notice")).toBe(6);
    expect(count("status", "leave")).toBe(3);
    expect(count("status", "alumni")).toBe(2);
    expect(count("status", "leaver")).toBe(8);
    expect(count("status", "active")).toBe(250 - 8 - 6 - 3 - 2 - 8);
    expect(first.counts.byStatus).toMatchObject({ pre_hire: 8, notice: 6, leave: 3, alumni: 2, leaver: 8 });
    expect(count("employmentType", "employee")).toBeGreaterThan(200);
    expect(count("employmentType", "contractor")).toBeGreaterThan(3);
    expect(count("employmentType", "intern")).toBe(5);
    expect(count("employmentType", "vendor")).toBe(1);
    const leavers = await h.t.db.query<{ termination_type: string }>(
      "SELECT termination_type FROM people WHERE status = 'leaver'",
    );
    expect(new Set(leavers.rows.map((x) => x.termination_type))).toEqual(
      new Set(["voluntary", "involuntary"]),
    );
    // The directory filters work on the seeded data too.
    expect(await everyone(hr, "&status=pre_hire")).toHaveLength(8);
  });

  it("has exactly one high-risk person: an involuntary, for-cause leaver whose termination is due in 2 days", async () => {
    const flagged = await h.t.db.query<{ id: string; status: string }>(
      "SELECT id, status FROM people WHERE high_risk",
    );
    expect(flagged.rows).toHaveLength(1);
    const { id, status } = flagged.rows[0]!;
    expect(status).toBe("active");
    const security = await h.signedIn(["security"]);
    const p = (await security.get(`/api/v1/people/${id}`)).json<{
      highRisk: boolean;
      highRiskReason: string;
    }>();
    expect(p.highRisk).toBe(true);
    expect(p.highRiskReason).toMatch(/administrator/);
    const ev = await h.t.db.query<{
      changes: { terminationType: string };
      effective_at: Date;
      reason: string;
    }>(
      "SELECT changes, effective_at, reason FROM person_events WHERE person_id = $1 AND type = 'termination' AND state = 'scheduled'",
      [id],
    );
    expect(ev.rows).toHaveLength(1);
    expect(ev.rows[0]!.changes.terminationType).toBe("for_cause");
    expect(ev.rows[0]!.reason).toBeTruthy();
    const hours = (new Date(ev.rows[0]!.effective_at).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(24);
    expect(hours).toBeLessThan(72);
  });

  it("schedules the starts of pre-hires and the terminations of people on notice, each with a queued job", async () => {
    const scheduled = await h.t.db.query<{ id: string; type: string; status: string; effective_at: Date }>(
      `SELECT e.id, e.type, p.status, e.effective_at FROM person_events e JOIN people p ON p.id = e.person_id
       WHERE e.state = 'scheduled'`,
    );
    const of = (type: string, status: string) =>
      scheduled.rows.filter((e) => e.type === type && e.status === status);
    expect(of("start", "pre_hire")).toHaveLength(8);
    expect(of("termination", "notice")).toHaveLength(6);
    expect(of("leave_end", "leave")).toHaveLength(1);
    expect(scheduled.rows.every((e) => new Date(e.effective_at).getTime() > Date.now())).toBe(true);
    const jobs = await h.t.db.query<{ key: string }>(
      `SELECT singleton_key AS key FROM ${h.t.jobs.schema}.job WHERE name = 'people.apply_event' AND state = 'created'`,
    );
    const queued = new Set(jobs.rows.map((j) => j.key));
    expect(scheduled.rows.filter((e) => !queued.has(e.id))).toEqual([]);
    expect(first.counts.scheduledEvents).toBe(scheduled.rows.length);
  });

  it("records agreements for most people, partly done checklists for pre-hires and a few background checks", async () => {
    const signed = await h.t.db.query<{ n: number }>(
      "SELECT count(DISTINCT person_id)::int AS n FROM agreements WHERE signed_at IS NOT NULL",
    );
    expect(signed.rows[0]!.n).toBe(250);
    const kinds = await h.t.db.query<{ kind: string }>("SELECT DISTINCT kind FROM agreements");
    expect(kinds.rows.map((k) => k.kind).sort()).toEqual([
      "acceptable_use",
      "confidentiality",
      "nda",
      "security_responsibilities",
    ]);
    const list = await h.t.db.query<{ person_id: string; done: boolean }>(
      "SELECT c.person_id, c.done FROM prehire_checklist c JOIN people p ON p.id = c.person_id WHERE p.status = 'pre_hire'",
    );
    expect(new Set(list.rows.map((x) => x.person_id)).size).toBe(8);
    expect(list.rows.some((x) => x.done)).toBe(true);
    expect(list.rows.some((x) => !x.done)).toBe(true);
    const checks = await h.t.db.query<{ completed: boolean }>("SELECT completed FROM background_checks");
    expect(checks.rows.length).toBeGreaterThanOrEqual(8);
    expect(checks.rows.some((c) => c.completed)).toBe(true);
    expect(checks.rows.some((c) => !c.completed)).toBe(true);
    expect(first.counts.backgroundChecks).toBe(checks.rows.length);
  });

  it("gives demo accounts their roles and one-time setup links that sign them in", async () => {
    expect(first.signIns.map((s) => s.role)).toEqual([
      "hr",
      "security",
      "it",
      "legal",
      "auditor",
      "manager",
      "employee",
    ]);
    for (const s of first.signIns) {
      expect(s.setupUrl).toMatch(/\/setup\?token=/);
      const account = first.ids.accounts[s.role];
      const roles = await h.t.db.query<{ role: string }>("SELECT role FROM user_roles WHERE user_id = $1", [
        account.userId,
      ]);
      expect(roles.rows.map((r) => r.role)).toContain(s.role);
    }
    const hrLink = first.signIns.find((s) => s.role === "hr")!.setupUrl!;
    const hr = await signInWithLink(hrLink);
    expect(await everyone(hr)).toHaveLength(250);
    const managerLink = first.signIns.find((s) => s.role === "manager")!.setupUrl!;
    const manager = await signInWithLink(managerLink);
    const team = await everyone(manager);
    expect(team.length).toBeGreaterThan(5);
    expect(team.every((p) => p.managerId === first.ids.accounts.manager.personId)).toBe(true);
    const employee = await signInWithLink(first.signIns.find((s) => s.role === "employee")!.setupUrl!);
    expect((await employee.get("/api/v1/people")).statusCode).toBe(403);
  });

  it("adds nothing when run again, reports already seeded and gives the same ids", async () => {
    const tables = [
      "people",
      "person_events",
      "departments",
      "job_roles",
      "locations",
      "agreements",
      "background_checks",
      "users",
      "user_roles",
      "audit_log",
    ];
    const before = await Promise.all(
      tables.map((t) => h.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)),
    );
    const again = await seedPeopleDemo(deps());
    const after = await Promise.all(
      tables.map((t) => h.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)),
    );
    expect(after.map((r) => r.rows[0]!.n)).toEqual(before.map((r) => r.rows[0]!.n));
    expect(again.alreadySeeded).toBe(true);
    expect(again.ids).toEqual(first.ids);
    expect(again.counts).toEqual(first.counts);
    // Accounts that set a password get no new link; the others get a fresh one.
    const links = Object.fromEntries(again.signIns.map((s) => [s.role, s.setupUrl]));
    expect(links.hr).toBeNull();
    expect(links.manager).toBeNull();
    expect(links.legal).toMatch(/\/setup\?token=/);
    expect(links.legal).not.toBe(first.signIns.find((s) => s.role === "legal")!.setupUrl);
  });

  it("refuses to seed into a database that already holds people of its own", async () => {
    const other = await startTestApp();
    try {
      const hr = await other.signedIn(["hr"]);
      const res = await hr.post("/api/v1/people", {
        employeeNumber: "E1",
        legalName: "Existing Person",
        workEmail: "existing@corp.test",
        status: "active",
      });
      expect(res.statusCode).toBe(201);
      await expect(
        seedPeopleDemo({
          db: other.t.db,
          people: other.t.people,
          envelope: other.t.envelope,
          auth: other.t.auth,
          checksRetentionDays: 30,
        }),
      ).rejects.toMatchObject({ code: "demo.not_empty" });
      const n = await other.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM people");
      expect(n.rows[0]!.n).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe("the demo plan", () => {
  it("is the same for the same seed and day, differs for another seed, and lists managers before reports", () => {
    const a = planDemo({ seed: 7, today: "2026-03-02", domain: "demo.example" });
    const b = planDemo({ seed: 7, today: "2026-03-02", domain: "demo.example" });
    const c = planDemo({ seed: 8, today: "2026-03-02", domain: "demo.example" });
    expect(b).toEqual(a);
    expect(c.people.map((p) => p.legalName)).not.toEqual(a.people.map((p) => p.legalName));
    expect(new Set(a.people.map((p) => p.workEmail)).size).toBe(250);
    expect(new Set(a.people.map((p) => p.legalName)).size).toBe(250);
    const seen = new Set<string>();
    for (const p of a.people) {
      if (p.manager) expect(seen.has(p.manager)).toBe(true);
      seen.add(p.employeeNumber);
    }
    // The seeded organisation is the plan of the default seed (names do not depend on the day).
    const seeded = planDemo({ seed: 20_250_601, today: "2026-03-02", domain: "tandem-demo.example" });
    expect(first.ids.people.map((p) => p.workEmail)).toEqual(seeded.people.map((p) => p.workEmail));
  });
});

describe("tandem demo (the CLI verb)", () => {
  const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

  /** Runs `tandem demo` as an operator would: a child process with nothing Tandem-specific inherited. */
  function tandemDemo(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env))
      if (!k.startsWith("TANDEM_") && k !== "DATABASE_URL" && k !== "NODE_OPTIONS") env[k] = v;
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "server/src/main.ts"), "demo"],
        { cwd: ROOT, env: { ...env, TANDEM_DATA_DIR: dataDir }, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  it("refuses, naming the holder, while a running Tandem holds the embedded database", async () => {
    const dir = tempDir("tandem-demo-cli-");
    // This process opens the embedded database the way a running server does, and so holds its lock.
    const held = await openPglite(path.join(dir, "db"));
    try {
      const run = await tandemDemo(dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`is in use by process ${process.pid}`);
      expect(run.stdout).not.toContain("Seeding");
      const people = await held.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'people'",
      );
      expect(people.rows[0]!.n).toBe(0);
    } finally {
      await held.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
