/**
 * Manual tasks: what the manual connector asks a person to do instead of calling a
 * system, the sink that records them (supplied by whoever owns task storage), and the
 * catalogue of task templates with their default due times.
 */
import type { AccountPatch } from "../kit.js";

/** The connector operation a task carries out. */
export type ManualAction = "create" | "update" | "disable" | "enable" | "delete" | "grant" | "revoke";

export type ManualTaskStatus = "open" | "done" | "rejected";

/** Who said the task was done (or refused it), when, and what they noted. */
export interface Attestation {
  by: string;
  /** ISO 8601 UTC. */
  at: string;
  note?: string;
}

export interface ManualTaskRequest {
  systemId?: string;
  action: ManualAction;
  template: ManualTemplateKey;
  /** The account in the system (the connector's externalId for it). */
  accountRef: string;
  entitlementRef?: string;
  /** Who is asked to do it (a team or a person, from the connector's settings). */
  assignee: string;
  title: string;
  instructions: string;
  /** ISO 8601 UTC. */
  dueAt: string;
  /** The account fields the task sets (create and update). */
  change?: AccountPatch;
}

export interface ManualTaskState {
  status: ManualTaskStatus;
  /** Present once the task is done or rejected. */
  attestation?: Attestation;
}

export interface ManualTask extends ManualTaskRequest, ManualTaskState {
  id: string;
  /** ISO 8601 UTC. */
  openedAt: string;
}

/**
 * Where manual tasks live. The access engine gives the connector one; connectors never
 * touch module tables themselves.
 */
export interface TaskSink {
  /** Records a new open task; returns its id. */
  openTask(task: ManualTaskRequest): Promise<string>;
  /** The task's status with its attestation; null when there is no such task. */
  taskState(taskId: string): Promise<ManualTaskState | null>;
  /** Every task of the system (all when systemId is absent), oldest first. */
  listTasks(query: { systemId?: string }): Promise<ManualTask[]>;
}

export interface TemplateText {
  system: string;
  username: string;
  displayName?: string;
  entitlement?: string;
  change?: AccountPatch;
}

export interface ManualTemplate {
  /** The operations the template can stand for. */
  actions: readonly ManualAction[];
  /** Default time from opening to due, in minutes. */
  dueMinutes: number;
  title(t: TemplateText): string;
  instructions(t: TemplateText): string;
}

const HOUR = 60;
const DAY = 24 * HOUR;
const who = (t: TemplateText) => (t.displayName ? `${t.displayName} (${t.username})` : t.username);
const attest = "Mark the task done when it is finished, or reject it with a note saying why.";

function describeChange(change: AccountPatch | undefined): string {
  if (!change) return "";
  const labels: [keyof AccountPatch, string][] = [
    ["username", "login name"],
    ["displayName", "name"],
    ["email", "email"],
    ["employeeNumber", "employee number"],
  ];
  const lines = labels
    .filter(([k]) => change[k] !== undefined && change[k] !== "")
    .map(([k, label]) => `${label}: ${String(change[k])}`);
  return lines.length ? ` Set ${lines.join("; ")}.` : "";
}

/** The task templates, keyed by name. */
export const MANUAL_TEMPLATES = {
  create_account: {
    actions: ["create"],
    dueMinutes: DAY,
    title: (t) => `Create ${who(t)}'s account in ${t.system}`,
    instructions: (t) =>
      `Create an account in ${t.system} for ${who(t)}.${describeChange(t.change)}${t.change?.enabled === false ? " Leave it disabled." : ""} ${attest}`,
  },
  update_account: {
    actions: ["update"],
    dueMinutes: DAY,
    title: (t) => `Update ${who(t)}'s account in ${t.system}`,
    instructions: (t) => `Change ${who(t)}'s account in ${t.system}.${describeChange(t.change)} ${attest}`,
  },
  disable_account: {
    actions: ["disable"],
    dueMinutes: 4 * HOUR,
    title: (t) => `Disable ${who(t)}'s account in ${t.system}`,
    instructions: (t) =>
      `Disable (lock) ${who(t)}'s account in ${t.system} so it can no longer be used; keep it for the record. ${attest}`,
  },
  enable_account: {
    actions: ["enable"],
    dueMinutes: DAY,
    title: (t) => `Re-enable ${who(t)}'s account in ${t.system}`,
    instructions: (t) => `Enable ${who(t)}'s account in ${t.system} again. ${attest}`,
  },
  delete_account: {
    actions: ["delete"],
    dueMinutes: 7 * DAY,
    title: (t) => `Delete ${who(t)}'s account in ${t.system}`,
    instructions: (t) => `Delete ${who(t)}'s account from ${t.system}. ${attest}`,
  },
  grant_access: {
    actions: ["grant"],
    dueMinutes: DAY,
    title: (t) => `Give ${who(t)} ${t.entitlement} in ${t.system}`,
    instructions: (t) => `Give ${who(t)} ${t.entitlement} in ${t.system}. ${attest}`,
  },
  revoke_access: {
    actions: ["revoke"],
    dueMinutes: 4 * HOUR,
    title: (t) => `Remove ${t.entitlement} from ${who(t)} in ${t.system}`,
    instructions: (t) => `Take ${t.entitlement} away from ${who(t)} in ${t.system}. ${attest}`,
  },
  disable_badge: {
    actions: ["disable", "revoke"],
    dueMinutes: HOUR,
    title: (t) => `Disable ${who(t)}'s badge${t.entitlement ? ` for ${t.entitlement}` : ""}`,
    instructions: (t) =>
      `In ${t.system}, disable ${who(t)}'s access badge${t.entitlement ? ` for ${t.entitlement}` : ""} so it no longer opens any door it should not. Collect the card if the person is still on site. ${attest}`,
  },
  remote_wipe_device: {
    actions: ["disable", "delete", "revoke"],
    dueMinutes: HOUR,
    title: (t) => `Remote-wipe ${who(t)}'s ${t.entitlement ?? "devices"}`,
    instructions: (t) =>
      `Using ${t.system}, lock and remote-wipe ${who(t)}'s ${t.entitlement ?? "company devices"}. Note the device serial numbers and the time of the wipe in your attestation. ${attest}`,
  },
  return_laptop_and_phone: {
    actions: ["disable", "delete", "revoke"],
    dueMinutes: 3 * DAY,
    title: (t) => `Collect ${who(t)}'s ${t.entitlement ?? "laptop and phone"}`,
    instructions: (t) =>
      `Collect ${who(t)}'s ${t.entitlement ?? "laptop and phone"} (${t.system}), check them against the asset register, and note the asset tags in your attestation. ${attest}`,
  },
  rotate_shared_credentials: {
    actions: ["disable", "delete", "revoke"],
    dueMinutes: DAY,
    title: (t) => `Rotate the shared credentials ${who(t)} knew${t.entitlement ? ` (${t.entitlement})` : ""}`,
    instructions: (t) =>
      `Change every shared password, PIN or key in ${t.system}${t.entitlement ? ` for ${t.entitlement}` : ""} that ${who(t)} knew, and give the new ones only to the people who still need them. ${attest}`,
  },
} satisfies Record<string, ManualTemplate>;

export type ManualTemplateKey = keyof typeof MANUAL_TEMPLATES;

export const MANUAL_TEMPLATE_KEYS = Object.keys(MANUAL_TEMPLATES) as [
  ManualTemplateKey,
  ...ManualTemplateKey[],
];

/** The template each operation uses unless the settings choose another. */
export const DEFAULT_TEMPLATES: Record<ManualAction, ManualTemplateKey> = {
  create: "create_account",
  update: "update_account",
  disable: "disable_account",
  enable: "enable_account",
  delete: "delete_account",
  grant: "grant_access",
  revoke: "revoke_access",
};
