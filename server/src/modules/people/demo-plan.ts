import { DateTime } from "luxon";
import {
  CONTRACTOR_CHANCE,
  DEPARTMENT_KEYS,
  DEPARTMENTS,
  type DepartmentKey,
  type LocationKey,
  NAME_GROUPS,
  NAMES_BY_LOCATION,
  type NameGroupKey,
  SHORT_FORMS,
  VENDOR_ROLE,
} from "./demo-data.js";
import type { AGREEMENT_KINDS, CHECK_KINDS, CHECKLIST_ITEMS } from "./prehire.js";

/**
 * The demo organisation as data: a pure function of (seed, today, domain), so the same seed
 * gives the same people, managers and lifecycle on every run. demo.ts writes it through the
 * People service; later modules read the returned ids to extend the same organisation.
 */

/** A small deterministic PRNG (mulberry32): the demo never uses Math.random. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    weighted<K extends string>(weights: Partial<Record<K, number>>): K {
      const entries = Object.entries(weights) as [K, number][];
      let r = next() * entries.reduce((s, [, w]) => s + w, 0);
      for (const [k, w] of entries) {
        r -= w;
        if (r < 0) return k;
      }
      return entries.at(-1)![0];
    },
    shuffle<T>(items: readonly T[]): T[] {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
  };
}
type Rng = ReturnType<typeof prng>;

export const DEMO_EMPLOYEE_PREFIX = "DM";
export const DEMO_ROLES = ["hr", "security", "it", "legal", "auditor", "manager", "employee"] as const;
export type DemoRole = (typeof DEMO_ROLES)[number];

export type Lifecycle =
  | { kind: "active" }
  | { kind: "pre_hire" }
  | { kind: "notice"; resignedOn: string; lastWorkingDay: string }
  | { kind: "leaver"; terminationType: "voluntary"; resignedOn: string; lastWorkingDay: string }
  | { kind: "leaver"; terminationType: "involuntary"; lastWorkingDay: string; reason: string }
  | { kind: "high_risk_leaver"; terminationOn: string; reason: string; highRiskReason: string }
  | { kind: "leave"; from: string; until: string | null; reason: string }
  | { kind: "alumni"; lastWorkingDay: string; archivedOn: string };

export interface PlannedPerson {
  employeeNumber: string;
  legalName: string;
  preferredName: string | null;
  workEmail: string;
  department: DepartmentKey;
  jobRole: string;
  /** Employee number of the manager (always planned earlier), null for the CEO. */
  manager: string | null;
  location: LocationKey;
  employmentType: "employee" | "contractor" | "intern" | "vendor";
  position: "ceo" | "head" | "lead" | "member";
  startDate: string;
  lifecycle: Lifecycle;
  signIn: DemoRole | null;
  agreements: { kind: (typeof AGREEMENT_KINDS)[number]; version: string; signedAt: string | null }[];
  checklist: { item: (typeof CHECKLIST_ITEMS)[number]; done: boolean; note: string | null }[];
  checks: {
    kind: (typeof CHECK_KINDS)[number];
    status: "requested" | "in_progress" | "completed";
    outcome: "clear" | null;
  }[];
}

export interface DemoPlan {
  seed: number;
  today: string;
  domain: string;
  people: PlannedPerson[];
}

const LEAVE_REASONS = ["parental leave", "sabbatical", "study leave"];
const INVOLUNTARY_REASONS = [
  "Role made redundant in the regional restructure",
  "Probation not passed",
  "Performance improvement plan not met",
];

function ascii(s: string): string {
  return s
    .replace(/ł/g, "l")
    .replace(/ı/g, "i")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
}

/** Builds the whole organisation; same inputs, same output. */
export function planDemo({ seed, today, domain }: { seed: number; today: string; domain: string }): DemoPlan {
  const rng = prng(seed);
  const day = DateTime.fromISO(today, { zone: "UTC" });
  const ago = (days: number) => day.minus({ days }).toISODate()!;
  const ahead = (days: number) => day.plus({ days }).toISODate()!;
  const people: PlannedPerson[] = [];
  const names = new Set<string>();
  const emails = new Set<string>();

  function add(
    department: DepartmentKey,
    jobRole: string,
    manager: string | null,
    position: PlannedPerson["position"],
  ) {
    const location = rng.weighted<LocationKey>(DEPARTMENTS[department].where);
    let first = "";
    let family = "";
    for (let attempt = 0; attempt < 50; attempt++) {
      const group = NAME_GROUPS[rng.weighted<NameGroupKey>(NAMES_BY_LOCATION[location])];
      first = rng.pick(group.first);
      family = rng.pick(group.family);
      if (!names.has(`${first} ${family}`)) break;
    }
    const legalName = `${first} ${family}`;
    names.add(legalName);
    let email = `${ascii(first)}.${ascii(family)}`;
    for (let n = 2; emails.has(email); n++) email = `${ascii(first)}.${ascii(family)}${n}`;
    emails.add(email);
    const short = SHORT_FORMS[first];
    const span = { ceo: [4000, 4200], head: [1200, 3800], lead: [500, 3000], member: [100, 2900] }[position];
    const person: PlannedPerson = {
      employeeNumber: `${DEMO_EMPLOYEE_PREFIX}${1001 + people.length}`,
      legalName,
      preferredName: short && rng.chance(0.5) ? `${short} ${family}` : null,
      workEmail: `${email}@${domain}`,
      department,
      jobRole,
      manager,
      location,
      employmentType: "employee",
      position,
      startDate: ago(rng.int(span[0]!, span[1]!)),
      lifecycle: { kind: "active" },
      signIn: null,
      agreements: [],
      checklist: [],
      checks: [],
    };
    if (jobRole === "Engineering Intern") {
      person.employmentType = "intern";
      person.startDate = ago(rng.int(30, 150));
    } else if (position === "member" && rng.chance(CONTRACTOR_CHANCE[jobRole] ?? 0)) {
      person.employmentType = "contractor";
    }
    people.push(person);
    return person;
  }

  // The CEO, department heads (by the tree), then each team: lead first, members after.
  const ceo = add("operations", "Chief Executive Officer", null, "ceo");
  const heads = {} as Record<DepartmentKey, PlannedPerson>;
  for (const key of DEPARTMENT_KEYS) {
    const spec = DEPARTMENTS[key];
    const boss = spec.headReportsTo ? heads[spec.headReportsTo] : ceo;
    heads[key] = add(key, spec.head, boss.employeeNumber, "head");
  }
  for (const key of DEPARTMENT_KEYS) {
    for (const team of DEPARTMENTS[key].teams) {
      const lead = team.lead ? add(key, team.lead, heads[key].employeeNumber, "lead") : heads[key];
      for (const [role, count] of Object.entries(team.members)) {
        for (let i = 0; i < count; i++) add(key, role, lead.employeeNumber, "member");
      }
    }
  }
  const vendor = people.find(
    (p) => p.jobRole === VENDOR_ROLE && p.position === "member" && p.employmentType === "employee",
  );
  if (vendor) vendor.employmentType = "vendor";

  // Demo sign-ins: the people whose accounts get a role to explore Tandem with.
  const firstOf = (role: string, position: PlannedPerson["position"]) =>
    people.find((p) => p.jobRole === role && p.position === position && p.employmentType === "employee")!;
  heads.people.signIn = "hr";
  heads.security.signIn = "security";
  heads.it.signIn = "it";
  heads.legal.signIn = "legal";
  firstOf("Internal Auditor", "member").signIn = "auditor";
  firstOf("Engineering Manager", "lead").signIn = "manager";
  firstOf("Software Engineer", "member").signIn = "employee";

  // Lifecycle variety, among team members who are not demo sign-ins.
  const eligible = rng.shuffle(
    people.filter((p) => p.position === "member" && !p.signIn && p.employmentType !== "vendor"),
  );
  const taken = new Set<PlannedPerson>();
  const take = (n: number, where: (p: PlannedPerson) => boolean = (p) => p.employmentType === "employee") => {
    const out = eligible.filter((p) => !taken.has(p) && where(p)).slice(0, n);
    for (const p of out) taken.add(p);
    return out;
  };
  // The high-risk leaver holds privileged access: picked first so the role is always there.
  const [risky] = take(1, (p) => p.jobRole === "IT Systems Administrator" && p.employmentType === "employee");
  risky!.lifecycle = {
    kind: "high_risk_leaver",
    terminationOn: ahead(2),
    reason: "Dismissal for cause after a disciplinary hearing",
    highRiskReason:
      "Copied customer records to a personal cloud drive; holds domain administrator rights. " +
      "Revoke all access at the moment of termination and collect the laptop the same day.",
  };
  const firstStart = day.plus({ days: 3 }).startOf("week").plus({ weeks: 1 });
  const preHires = [
    ...take(2, (p) => p.employmentType === "intern"),
    ...take(6, (p) => p.employmentType !== "intern"),
  ];
  preHires.forEach((p, i) => {
    p.lifecycle = { kind: "pre_hire" };
    p.startDate = firstStart.plus({ weeks: i % 6 }).toISODate()!;
  });
  const friday = (d: DateTime) => d.startOf("week").plus({ days: 4 }).toISODate()!;
  for (const p of take(6)) {
    p.lifecycle = {
      kind: "notice",
      resignedOn: ago(rng.int(3, 20)),
      lastWorkingDay: friday(day.plus({ days: rng.int(10, 40) })),
    };
  }
  take(8).forEach((p, i) => {
    const last = ago(rng.int(3, 40));
    const resignedOn = DateTime.fromISO(last).minus({ days: 30 }).toISODate()!;
    p.lifecycle =
      i < 5
        ? { kind: "leaver", terminationType: "voluntary", resignedOn, lastWorkingDay: last }
        : {
            kind: "leaver",
            terminationType: "involuntary",
            lastWorkingDay: last,
            reason: INVOLUNTARY_REASONS[i - 5]!,
          };
  });
  take(3).forEach((p, i) => {
    p.lifecycle = {
      kind: "leave",
      from: ago(rng.int(10, 60)),
      until: i === 0 ? ahead(rng.int(10, 30)) : null,
      reason: LEAVE_REASONS[i]!,
    };
  });
  for (const p of take(2)) {
    p.startDate = ago(rng.int(2200, 3200));
    const last = ago(rng.int(450, 700));
    p.lifecycle = {
      kind: "alumni",
      lastWorkingDay: last,
      archivedOn: DateTime.fromISO(last).plus({ days: 180 }).toISODate()!,
    };
  }

  for (const p of people) planPaperwork(rng, p, ago);
  return { seed, today, domain, people };
}

/** Agreements (most signed, some outdated or missing), pre-hire checklists and background checks. */
function planPaperwork(rng: Rng, p: PlannedPerson, ago: (days: number) => string) {
  const before = (date: string, days: number) => DateTime.fromISO(date).minus({ days }).toISODate()!;
  const external = p.employmentType === "contractor" || p.employmentType === "vendor";
  const ndaKind = external ? "confidentiality" : "nda";
  if (p.lifecycle.kind === "pre_hire") {
    p.agreements.push({ kind: ndaKind, version: "2022.1", signedAt: ago(rng.int(2, 10)) });
    p.agreements.push({ kind: "acceptable_use", version: "3.0", signedAt: null });
    const checkDone = rng.chance(0.5);
    p.checklist = [
      { item: "contract_security_terms", done: rng.chance(0.85), note: null },
      { item: "background_check", done: checkDone, note: checkDone ? "criminal record check clear" : null },
      { item: "access_profile_defined", done: rng.chance(0.25), note: null },
    ];
    p.checks.push(
      checkDone
        ? { kind: "criminal", status: "completed", outcome: "clear" }
        : { kind: "criminal", status: rng.chance(0.7) ? "in_progress" : "requested", outcome: null },
    );
    return;
  }
  const started = p.startDate;
  p.agreements.push({
    kind: ndaKind,
    version: started < "2022-01-01" ? "2019.1" : "2022.1",
    signedAt: before(started, rng.int(3, 14)),
  });
  const aup = rng.next();
  const recent = ago(rng.int(10, 200));
  if (aup < 0.8)
    p.agreements.push({
      kind: "acceptable_use",
      version: "3.0",
      signedAt: [recent, started].sort()[1]!, // ISO dates: the later one
    });
  else if (aup < 0.92) p.agreements.push({ kind: "acceptable_use", version: "2.1", signedAt: started });
  if (rng.chance(0.85))
    p.agreements.push({ kind: "security_responsibilities", version: "1.2", signedAt: started });
  // Roles with access to money or to security tooling were screened before they started.
  const screened: Record<string, (typeof CHECK_KINDS)[number]> = {
    Accountant: "credit",
    "Finance Manager": "credit",
    "Security Engineer": "criminal",
  };
  const kind = screened[p.jobRole];
  if (kind && p.position !== "head" && p.lifecycle.kind === "active" && rng.chance(0.3)) {
    p.checks.push({ kind, status: "completed", outcome: "clear" });
  }
}
