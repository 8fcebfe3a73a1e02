/**
 * The plan: desired state minus actual state, as steps. Pure computation over what the
 * database holds; nothing is written here.
 */
import type { ConnectorCapabilities } from "../../connectors/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { type AccountRow, accountsOfPerson, holds } from "./accounts.js";
import { type SystemRow, systemRows } from "./catalogue.js";
import type { Desired, PersonFacts } from "./desired.js";
import type { StepAction } from "./schemas.js";

export interface PlannedStep {
  /** Local key; dependsOn refers to another step's key. */
  key: string;
  systemId: string | null;
  action: StepAction;
  accountId: string | null;
  accountRef: string | null;
  username: string | null;
  entitlementRef: string | null;
  dependsOn: string | null;
  spec: Record<string, unknown>;
  /** Hours after the plan is made before the step may run (a mover's grace period). */
  delayHours: number;
}

export interface ComputedPlan {
  steps: PlannedStep[];
  notes: string[];
  /** Accounts matched by employee number or email that are not linked to the person yet. */
  toLink: AccountRow[];
  systems: Map<string, SystemRow>;
}

export interface ComputeOptions {
  /** Grace period for removals (movers keep old access this long). */
  removalDelayHours?: number;
  capabilities: (row: SystemRow) => ConnectorCapabilities;
}

/** The login name a new account gets on a system. */
export function usernameFor(rule: SystemRow["username_rule"], p: PersonFacts): string {
  if (rule === "email") return p.workEmail;
  if (rule === "employee_number") return p.employeeNumber;
  return p.workEmail.split("@")[0] as string;
}

function nameParts(legalName: string): { givenName?: string; familyName?: string } {
  const words = legalName.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return words[0] ? { familyName: words[0] } : {};
  return { givenName: words.slice(0, -1).join(" "), familyName: words[words.length - 1] as string };
}

const ACTION_WORDS: Record<string, string> = {
  create: "Create the account",
  enable: "Enable the account",
  disable: "Disable the account",
  delete: "Delete the account",
  grant: "Grant",
  revoke: "Remove",
  revoke_sessions: "End every session of the account",
};

/** A manual task standing in for a step Tandem cannot carry out on the system itself. */
export function manualSpec(
  action: string,
  system: { name: string },
  account: string | null,
  entitlement: string | null,
  why: string,
): Record<string, unknown> {
  const what = entitlement
    ? `${ACTION_WORDS[action] ?? action} ${entitlement} ${action === "grant" ? "to" : "from"} ${account ?? "the account"}`
    : `${ACTION_WORDS[action] ?? action} ${account ?? ""}`.trim();
  return {
    title: `${what} on ${system.name}`,
    instructions: `${what} on ${system.name} by hand, then attest it in Tandem. (${why})`,
    assigneeRole: "it",
    dueInHours: 24,
    stands_for: action,
  };
}

function primaryAccount(list: AccountRow[], personId: string): AccountRow | undefined {
  return [...list].sort(
    (a, b) =>
      Number(b.person_id === personId) - Number(a.person_id === personId) ||
      Number(b.enabled) - Number(a.enabled),
  )[0];
}

export async function computePlan(
  q: Queryable,
  person: PersonFacts,
  desired: Desired,
  opts: ComputeOptions,
): Promise<ComputedPlan> {
  const systems = new Map((await systemRows(q)).map((s) => [s.id, s]));
  return planFrom(person, desired, await accountsOfPerson(q, person), systems, opts);
}

/**
 * computePlan over what has been read already: the person's accounts (accountsOfPerson) and
 * every system by id. Many plans share one read of the systems this way.
 */
export function planFrom(
  person: PersonFacts,
  desired: Desired,
  accounts: readonly AccountRow[],
  systems: Map<string, SystemRow>,
  opts: ComputeOptions,
): ComputedPlan {
  const bySystem = new Map<string, AccountRow[]>();
  for (const a of accounts) bySystem.set(a.system_id, [...(bySystem.get(a.system_id) ?? []), a]);
  const steps: PlannedStep[] = [];
  const notes: string[] = [];
  let n = 0;
  const add = (s: Omit<PlannedStep, "key" | "delayHours"> & { delayHours?: number }): PlannedStep => {
    const step: PlannedStep = { key: `s${++n}`, delayHours: 0, ...s };
    steps.push(step);
    return step;
  };
  /** A step, or the manual task standing in for it when the system cannot do it. */
  const act = (
    sys: SystemRow,
    action: StepAction,
    a: { id: string | null; ref: string | null; username: string | null },
    entitlementRef: string | null,
    extra: { dependsOn?: string | null; spec?: Record<string, unknown>; delayHours?: number } = {},
  ) => {
    const caps = opts.capabilities(sys);
    const capable =
      action === "revoke_sessions" ? caps.revokeSessions : caps[action as keyof ConnectorCapabilities];
    const common = {
      systemId: sys.id,
      accountId: a.id,
      accountRef: a.ref,
      username: a.username,
      entitlementRef,
      dependsOn: extra.dependsOn ?? null,
      delayHours: extra.delayHours ?? 0,
    };
    if (capable !== false && sys.enabled) return add({ ...common, action, spec: extra.spec ?? {} });
    const why = sys.enabled
      ? `the ${sys.connector_type} connector cannot ${action.replace("_", " ")}`
      : "Tandem does not manage this system now";
    return add({
      ...common,
      action: "manual_task",
      spec: manualSpec(action, sys, a.username, entitlementRef, why),
    });
  };
  const removalDelay = opts.removalDelayHours ?? 0;

  if (desired.empty) {
    for (const a of accounts) {
      const sys = systems.get(a.system_id);
      if (!sys) continue;
      const ref = { id: a.id, ref: a.external_id, username: a.username };
      const held = a.entitlements ?? [];
      if (a.enabled) act(sys, "disable", ref, null);
      if (sys.enabled && opts.capabilities(sys).revokeSessions && (a.enabled || held.length))
        act(sys, "revoke_sessions", ref, null);
      for (const e of held) act(sys, "revoke", ref, e);
    }
    return { steps, notes, toLink: accounts.filter((a) => !a.person_id), systems };
  }

  for (const d of desired.systems.values()) {
    const sys = systems.get(d.systemId);
    if (!sys) continue;
    if (!sys.enabled) {
      notes.push(`${sys.name} is switched off in Tandem: its access is not planned`);
      continue;
    }
    const primary = primaryAccount(bySystem.get(sys.id) ?? [], person.id);
    if (!primary) {
      const username = usernameFor(sys.username_rule, person);
      const create = act(sys, "create", { id: null, ref: null, username }, null, {
        spec: {
          username,
          email: person.workEmail,
          displayName: person.displayName,
          employeeNumber: person.employeeNumber,
          ...nameParts(person.legalName),
          enabled: d.enabled,
        },
      });
      for (const ref of d.entitlements.values()) {
        if (create.action === "create") {
          act(sys, "grant", { id: null, ref: null, username }, ref, { dependsOn: create.key });
          continue;
        }
        add({
          systemId: sys.id,
          action: "manual_task",
          accountId: null,
          accountRef: null,
          username,
          entitlementRef: ref,
          dependsOn: null,
          spec: manualSpec("grant", sys, username, ref, "the account is created by hand"),
        });
      }
      continue;
    }
    const ref = { id: primary.id, ref: primary.external_id, username: primary.username };
    const held = primary.entitlements ?? [];
    if (primary.enabled !== d.enabled) {
      act(sys, d.enabled ? "enable" : "disable", ref, null, { delayHours: d.enabled ? 0 : removalDelay });
    }
    for (const e of d.entitlements.values()) if (!holds(held, e)) act(sys, "grant", ref, e);
    const managed = desired.managedEntitlements.get(sys.id) ?? new Set<string>();
    for (const e of held) {
      if (d.entitlements.has(e.toLowerCase()) || !managed.has(e.toLowerCase())) continue;
      act(sys, "revoke", ref, e, { delayHours: removalDelay });
    }
  }

  // Access on systems the person's profiles no longer give (only what some profile manages).
  for (const [systemId, list] of bySystem) {
    if (desired.systems.has(systemId) || !desired.managedSystems.has(systemId)) continue;
    const sys = systems.get(systemId);
    if (!sys?.enabled) continue;
    const managed = desired.managedEntitlements.get(systemId) ?? new Set<string>();
    for (const a of list) {
      if (a.person_id !== person.id) continue;
      const ref = { id: a.id, ref: a.external_id, username: a.username };
      if (a.enabled) act(sys, "disable", ref, null, { delayHours: removalDelay });
      for (const e of a.entitlements ?? [])
        if (managed.has(e.toLowerCase())) act(sys, "revoke", ref, e, { delayHours: removalDelay });
    }
  }
  const toLink = accounts.filter((a) => !a.person_id && desired.systems.has(a.system_id));
  return { steps, notes, toLink, systems };
}

/** The default catalogue of tasks opened for every leaver (devices, badge, shared secrets). */
export const LEAVER_TASKS: {
  title: string;
  instructions: string;
  assigneeRole: string;
  highRiskOnly?: boolean;
}[] = [
  {
    title: "Collect the laptop",
    instructions: "Collect the person's laptop and record its asset tag in the note.",
    assigneeRole: "it",
  },
  {
    title: "Collect the phone",
    instructions: "Collect the company phone (or confirm there is none) and record it in the note.",
    assigneeRole: "it",
  },
  {
    title: "Remote-wipe devices",
    instructions: "Remote-wipe every managed device of the person that was not returned.",
    assigneeRole: "it",
  },
  {
    title: "Disable the badge",
    instructions: "Disable the building access badge and collect it.",
    assigneeRole: "security",
  },
  {
    title: "Rotate shared credentials",
    instructions:
      "Rotate every shared password, key or token the person knew (team vaults, break-glass accounts).",
    assigneeRole: "security",
  },
  {
    title: "Preserve evidence",
    instructions:
      "Put the mailbox and files on legal hold and image the devices before they are wiped or reissued.",
    assigneeRole: "legal",
    highRiskOnly: true,
  },
];

/**
 * The steps opening the leaver task catalogue (the high-risk ones only for a high-risk
 * leaver), numbered after the `count` steps before them; `spec` says what each carries.
 */
export function leaverTaskSteps(
  person: { highRisk: boolean },
  count: number,
  spec: (t: (typeof LEAVER_TASKS)[number]) => Record<string, unknown>,
): PlannedStep[] {
  return LEAVER_TASKS.filter((t) => !t.highRiskOnly || person.highRisk).map((t, i) => ({
    key: `t${count + i + 1}`,
    systemId: null,
    action: "manual_task",
    accountId: null,
    accountRef: null,
    username: null,
    entitlementRef: null,
    dependsOn: null,
    spec: spec(t),
    delayHours: 0,
  }));
}
