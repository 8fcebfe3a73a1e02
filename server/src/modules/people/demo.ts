import { DateTime } from "luxon";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import { type AuthService, findUserById, setRoles } from "../../platform/auth/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import { conflict } from "../../platform/http/index.js";
import {
  DEPARTMENT_KEYS,
  DEPARTMENTS,
  type DepartmentKey,
  LOCATIONS,
  type LocationKey,
} from "./demo-data.js";
import { countDemo, type DemoCounts, type DemoIds, resolveIds } from "./demo-ids.js";
import {
  DEMO_EMPLOYEE_PREFIX,
  DEMO_ROLES,
  type DemoPlan,
  type DemoRole,
  type PlannedPerson,
  planDemo,
} from "./demo-plan.js";
import { saveDepartment, saveJobRole, saveLocation } from "./org.js";
import { checksStore, saveAgreement, setChecklistItem } from "./prehire.js";
import type { PeopleService } from "./service.js";

export type { DepartmentKey, LocationKey } from "./demo-data.js";
export type { DemoCounts, DemoIds, DemoPersonRef } from "./demo-ids.js";
export { DEMO_ROLES, type DemoRole } from "./demo-plan.js";

const MARKER = "demo_seeded";
const SOURCE = "demo";

export interface DemoDeps {
  db: Db;
  people: Pick<PeopleService, "create" | "record">;
  envelope: Envelope;
  auth: Pick<AuthService, "createSetupLink">;
  /** How long background checks are kept (TANDEM_CHECKS_RETENTION_DAYS). */
  checksRetentionDays: number;
}

export interface DemoOptions {
  /** PRNG seed: the same seed gives the same organisation. */
  seed?: number;
  /** Domain of the work emails. */
  domain?: string;
  /** People written per transaction. */
  batchSize?: number;
  ctx?: AuditContext;
  /** Issue one-time setup links for demo accounts that have no password yet (default true). */
  setupLinks?: boolean;
  setupLinkHours?: number;
  onProgress?: (done: number, total: number) => void;
  /** Seed even though the database holds people who are not demo data. */
  force?: boolean;
}

export interface DemoSignIn {
  role: DemoRole;
  name: string;
  email: string;
  /** A fresh one-time link, or null when the account already has a password (or links were not asked for). */
  setupUrl: string | null;
}

export interface DemoResult {
  alreadySeeded: boolean;
  ids: DemoIds;
  counts: DemoCounts;
  signIns: DemoSignIn[];
  seconds: number;
}

const CHECK_PROVIDERS = ["Verity Screening", "Clearpath Background Services", "Trustline Vetting"];

/**
 * Seeds the demo organisation through the People service, so events, history, audit
 * entries, accounts and scheduled jobs are what real use produces. Idempotent: a settings
 * marker says it is done; an interrupted run resumes (people are matched by employee number).
 */
export async function seedPeopleDemo(deps: DemoDeps, opts: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const { db } = deps;
  const ctx = opts.ctx ?? { actorLabel: "demo" };
  const marker = await db.query<{ value: { seed: number; today: string; domain: string } }>(
    "SELECT value FROM settings WHERE key = $1",
    [MARKER],
  );
  const done = marker.rows[0]?.value;
  if (done) {
    const plan = planDemo(done);
    const ids = await db.tx((q) => resolveIds(q, plan));
    const signIns = await db.tx((q) => signInLinks(q, deps, plan, ids, opts));
    return { alreadySeeded: true, ids, counts: await countDemo(db), signIns, seconds: elapsed(started) };
  }
  if (!opts.force) {
    const other = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM people WHERE employee_number NOT LIKE $1",
      [`${DEMO_EMPLOYEE_PREFIX}%`],
    );
    if ((other.rows[0]?.n ?? 0) > 0)
      throw conflict(
        "demo.not_empty",
        "This database already holds people who are not demo data; the demo organisation goes into an empty Tandem",
      );
  }
  const plan = planDemo({
    seed: opts.seed ?? 20_250_601,
    today: DateTime.utc().toISODate()!,
    domain: opts.domain ?? "tandem-demo.example",
  });
  const org = await db.tx((q) => seedOrg(q, ctx));
  const personIds = new Map<string, string>();
  const size = opts.batchSize ?? 50;
  const checks = checksStore(deps.envelope, deps.checksRetentionDays);
  opts.onProgress?.(0, plan.people.length);
  for (let i = 0; i < plan.people.length; i += size) {
    await db.tx(async (q) => {
      for (const p of plan.people.slice(i, i + size)) {
        const existing = await q.query<{ id: string }>("SELECT id FROM people WHERE employee_number = $1", [
          p.employeeNumber,
        ]);
        const id = existing.rows[0]?.id ?? (await seedPerson(q, deps, ctx, checks, p, org, personIds));
        personIds.set(p.employeeNumber, id);
      }
    });
    opts.onProgress?.(Math.min(i + size, plan.people.length), plan.people.length);
  }
  const ids = await db.tx(async (q) => {
    const ids = await resolveIds(q, plan);
    for (const key of DEPARTMENT_KEYS) {
      const spec = DEPARTMENTS[key];
      await saveDepartment(
        q,
        ctx,
        {
          name: spec.name,
          parentId: spec.parent ? ids.departments[spec.parent] : null,
          headPersonId: ids.heads[key],
        },
        ids.departments[key],
      );
    }
    await grantDemoRoles(q, ctx, ids);
    await q.query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", [
      MARKER,
      JSON.stringify({ seed: plan.seed, today: plan.today, domain: plan.domain, seededAt: new Date() }),
    ]);
    return ids;
  });
  const signIns = await db.tx((q) => signInLinks(q, deps, plan, ids, opts));
  return { alreadySeeded: false, ids, counts: await countDemo(db), signIns, seconds: elapsed(started) };
}

const elapsed = (since: number) => Math.round((Date.now() - since) / 100) / 10;

interface Org {
  locations: Record<LocationKey, string>;
  departments: Record<DepartmentKey, string>;
  jobRoles: Record<string, string>;
}

/** Locations, departments (the tree, heads come later) and job roles; existing ones are reused by name. */
async function seedOrg(q: Queryable, ctx: AuditContext): Promise<Org> {
  const org = { locations: {}, departments: {}, jobRoles: {} } as Org;
  for (const [key, loc] of Object.entries(LOCATIONS) as [LocationKey, (typeof LOCATIONS)[LocationKey]][]) {
    const r = await q.query<{ id: string }>("SELECT id FROM locations WHERE lower(name) = lower($1)", [
      loc.name,
    ]);
    org.locations[key] = r.rows[0]?.id ?? (await saveLocation(q, ctx, loc));
  }
  for (const key of DEPARTMENT_KEYS) {
    const spec = DEPARTMENTS[key];
    const r = await q.query<{ id: string }>("SELECT id FROM departments WHERE lower(name) = lower($1)", [
      spec.name,
    ]);
    const parentId = spec.parent ? org.departments[spec.parent] : null;
    org.departments[key] = r.rows[0]?.id ?? (await saveDepartment(q, ctx, { name: spec.name, parentId }));
    for (const [title, level] of Object.entries(spec.roles)) {
      const role = await q.query<{ id: string }>(
        "SELECT id FROM job_roles WHERE lower(title) = lower($1) AND department_id = $2",
        [title, org.departments[key]],
      );
      org.jobRoles[title] =
        role.rows[0]?.id ?? (await saveJobRole(q, ctx, { title, departmentId: org.departments[key], level }));
    }
  }
  return org;
}

const nextDay = (date: string) => DateTime.fromISO(date).plus({ days: 1 }).toISODate()!;

/** One person: hired through the service, then their lifecycle events and paperwork. */
async function seedPerson(
  q: Queryable,
  { people }: DemoDeps,
  ctx: AuditContext,
  checks: ReturnType<typeof checksStore>,
  p: PlannedPerson,
  org: Org,
  personIds: Map<string, string>,
): Promise<string> {
  const person = await people.create(
    q,
    ctx,
    {
      employeeNumber: p.employeeNumber,
      legalName: p.legalName,
      preferredName: p.preferredName,
      workEmail: p.workEmail,
      departmentId: org.departments[p.department],
      jobRoleId: org.jobRoles[p.jobRole],
      managerId: p.manager ? personIds.get(p.manager) : null,
      locationId: org.locations[p.location],
      employmentType: p.employmentType,
      status: p.lifecycle.kind === "pre_hire" ? "pre_hire" : "active",
      startDate: p.startDate,
    },
    SOURCE,
  );
  const id = person.id;
  const record = (input: Parameters<PeopleService["record"]>[3]) => people.record(q, ctx, id, input, SOURCE);
  const l = p.lifecycle;
  switch (l.kind) {
    case "notice":
      await record({ type: "resignation", effectiveDate: l.resignedOn, lastWorkingDay: l.lastWorkingDay });
      break;
    case "leaver":
      if (l.terminationType === "voluntary")
        await record({ type: "resignation", effectiveDate: l.resignedOn, lastWorkingDay: l.lastWorkingDay });
      else
        await record({
          type: "termination",
          terminationType: "involuntary",
          effectiveDate: nextDay(l.lastWorkingDay),
          reason: l.reason,
        });
      break;
    case "high_risk_leaver":
      await record({
        type: "termination",
        terminationType: "for_cause",
        effectiveDate: l.terminationOn,
        reason: l.reason,
        highRisk: true,
        highRiskReason: l.highRiskReason,
      });
      break;
    case "leave":
      await record({ type: "leave_start", effectiveDate: l.from, reason: l.reason });
      if (l.until) await record({ type: "leave_end", effectiveDate: l.until });
      break;
    case "alumni":
      await record({
        type: "termination",
        terminationType: "voluntary",
        effectiveDate: nextDay(l.lastWorkingDay),
        reason: "resigned: moved abroad",
      });
      await record({ type: "archive", effectiveDate: l.archivedOn });
      break;
  }
  for (const a of p.agreements) await saveAgreement(q, ctx, id, a);
  for (const c of p.checklist) await setChecklistItem(q, ctx, id, c.item, c.done, c.note);
  for (const [i, c] of p.checks.entries()) {
    const provider = CHECK_PROVIDERS[(Number(p.employeeNumber.slice(DEMO_EMPLOYEE_PREFIX.length)) + i) % 3]!;
    await checks.create(q, ctx, id, {
      kind: c.kind,
      provider,
      status: c.status,
      outcome: c.outcome,
      notes: c.status === "completed" ? "No records found." : "Waiting for the provider's report.",
      documents:
        c.status === "completed"
          ? [
              {
                name: `${c.kind} check report.pdf`,
                reference: `${provider.split(" ")[0]}-${p.employeeNumber}`,
              },
            ]
          : [],
    });
  }
  return id;
}

/** Gives the demo accounts their role (manager and employee come with the HR record itself). */
async function grantDemoRoles(q: Queryable, ctx: AuditContext, ids: DemoIds) {
  for (const role of DEMO_ROLES) {
    const account = ids.accounts[role];
    if (!account) throw new Error(`demo account for ${role} has no user`);
    const user = await findUserById(q, account.userId, true);
    const current = user?.roles ?? [];
    if (current.includes(role)) continue;
    const wanted = [...current, role];
    await setRoles(q, account.userId, wanted);
    await appendAudit(q, ctx, {
      action: "user.roles_changed",
      targetType: "user",
      targetId: account.userId,
      details: { via: "demo", from: current, to: [...wanted].sort() },
    });
  }
}

/** One row per demo role, with a fresh setup link where the account has no password yet. */
async function signInLinks(
  q: Queryable,
  deps: DemoDeps,
  plan: DemoPlan,
  ids: DemoIds,
  opts: DemoOptions,
): Promise<DemoSignIn[]> {
  const out: DemoSignIn[] = [];
  for (const role of DEMO_ROLES) {
    const account = ids.accounts[role];
    const p = plan.people.find((x) => x.signIn === role)!;
    const user = account ? await findUserById(q, account.userId) : undefined;
    const open = user && !user.disabled && !user.password_hash && !user.oidc_subject;
    const setupUrl =
      open && opts.setupLinks !== false
        ? await deps.auth.createSetupLink(q, user.id, opts.setupLinkHours ?? 72)
        : null;
    out.push({ role, name: p.preferredName ?? p.legalName, email: p.workEmail, setupUrl });
  }
  return out;
}
