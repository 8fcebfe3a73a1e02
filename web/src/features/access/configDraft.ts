/**
 * A connector's settings as editable rows. The rows come from the system's stored config
 * (which the server has filled with every default) or, for a new system, from a short starter
 * per type completed by the settings the connector-types endpoint describes (required ones,
 * and plain ones with their defaults).
 */
export type SettingKind = "text" | "number" | "switch" | "json";

export interface SettingDraft {
  key: string;
  kind: SettingKind;
  /** text, number and json rows */
  text: string;
  /** switch rows */
  checked: boolean;
}

/** The settings a new system of a known type most likely needs; the server's check says what is missing. */
const STARTERS: Record<string, Record<string, unknown>> = {
  manual: { systemName: "", owner: "", instructions: "" },
  ldap: {
    url: "ldaps://",
    bindDn: "",
    baseDn: "",
    usersOu: "",
    groupsOu: "",
    startTls: false,
    disableMode: "ppolicy",
  },
  "scim-app": { baseUrl: "https://", matchAttribute: "userName" },
  webhook: { baseUrl: "https://", revokeSessions: false },
};

export function draftsOf(config: Record<string, unknown>): SettingDraft[] {
  return Object.entries(config).map(([key, value]) => draftOf(key, value));
}

/** A setting as the connector-types endpoint describes it. */
export interface SettingSpec {
  key: string;
  kind: SettingKind;
  required: boolean;
  default?: unknown;
}

/**
 * The rows of a new system: the type's starter, then every setting its schema requires and
 * every plain setting with a default (shown with that default), typed as the schema says.
 */
export function starterDrafts(connectorType: string, settings: readonly SettingSpec[] = []): SettingDraft[] {
  const starter = STARTERS[connectorType] ?? {};
  const rows = draftsOf(starter);
  for (const s of settings) {
    if (s.key in starter) continue;
    const plain = s.kind !== "json" && s.default !== undefined;
    if (!s.required && !plain) continue;
    rows.push(s.default === undefined ? emptyDraft(s.key, s.kind) : draftOf(s.key, s.default));
  }
  return rows;
}

function draftOf(key: string, value: unknown): SettingDraft {
  if (typeof value === "boolean") return { key, kind: "switch", text: "", checked: value };
  if (typeof value === "number") return { key, kind: "number", text: String(value), checked: false };
  if (typeof value === "string") return { key, kind: "text", text: value, checked: false };
  return { key, kind: "json", text: JSON.stringify(value ?? null, null, 2), checked: false };
}

export function emptyDraft(key: string, kind: SettingKind): SettingDraft {
  return { key, kind, text: kind === "json" ? "{}" : "", checked: false };
}

/**
 * The config object to send, or the rows that cannot be read (bad JSON or number). An empty
 * text or number row is left out, so the connector's default (or its "required" message) applies.
 */
export function configOf(drafts: readonly SettingDraft[]): {
  config: Record<string, unknown>;
  problems: Record<string, string>;
} {
  const config: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const d of drafts) {
    if (d.kind === "switch") config[d.key] = d.checked;
    else if (d.kind === "text") {
      if (d.text.trim() !== "") config[d.key] = d.text.trim();
    } else if (d.kind === "number") {
      if (d.text.trim() === "") continue;
      const n = Number(d.text);
      if (Number.isFinite(n)) config[d.key] = n;
      else problems[d.key] = "Enter a number";
    } else {
      try {
        config[d.key] = JSON.parse(d.text);
      } catch {
        problems[d.key] = "This is not valid JSON";
      }
    }
  }
  return { config, problems };
}
