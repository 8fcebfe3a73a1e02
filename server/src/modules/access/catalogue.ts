/** The systems catalogue: each system with its connector settings (secrets write-only) and entitlements. */

import type { ConnectorFactory } from "../../connectors/index.js";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Envelope } from "../../platform/crypto/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { AppError, badRequest, conflict, notFound, unprocessable } from "../../platform/http/index.js";
import { ulid } from "../../platform/ids/index.js";
import { availableConnectorTypes, connectorFactory, secretsAad } from "./connectors.js";
import { iso } from "./context.js";
import type { EntitlementView, System, SystemInput, SystemPatch } from "./schemas.js";

export interface SystemRow {
  id: string;
  name: string;
  description: string | null;
  owner_person_id: string | null;
  criticality: System["criticality"];
  data_classification: System["dataClassification"];
  connector_type: string;
  config: Record<string, unknown>;
  secrets_enc: string | null;
  secret_names: string[];
  username_rule: System["usernameRule"];
  enabled: boolean;
  breaker_threshold: string | number;
  breaker_released_at: Date | string | null;
  last_sync_at: Date | string | null;
  last_sync_error: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
  accounts?: number;
  held_plans?: number;
}

const SELECT = `SELECT s.*,
  (SELECT count(*)::int FROM accounts a WHERE a.system_id = s.id) AS accounts,
  (SELECT count(*)::int FROM access_plans p WHERE p.state = 'held' AND s.id = ANY (p.held_system_ids)) AS held_plans
  FROM systems s`;

export function toSystem(r: SystemRow): System {
  const factory = connectorFactory(r.connector_type);
  const stored = r.secret_names ?? [];
  const names = new Set([...(factory?.secretFields ?? []), ...stored]);
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    ownerPersonId: r.owner_person_id,
    criticality: r.criticality,
    dataClassification: r.data_classification,
    connectorType: r.connector_type,
    config: r.config,
    secretsSet: Object.fromEntries([...names].map((n) => [n, stored.includes(n)])),
    usernameRule: r.username_rule,
    enabled: r.enabled,
    breakerThreshold: Number(r.breaker_threshold),
    accounts: r.accounts ?? 0,
    heldPlans: r.held_plans ?? 0,
    lastSyncAt: iso(r.last_sync_at),
    lastSyncError: r.last_sync_error,
    version: r.version,
    createdAt: iso(r.created_at) as string,
    updatedAt: iso(r.updated_at) as string,
  };
}

export async function findSystem(q: Queryable, id: string, lock = false): Promise<SystemRow | undefined> {
  const r = await q.query<SystemRow>(`${SELECT} WHERE s.id = $1${lock ? " FOR UPDATE OF s" : ""}`, [id]);
  return r.rows[0];
}

/** The system's row without the account and plan counts (the runner's hot path). */
export async function systemRow(q: Queryable, id: string): Promise<SystemRow | undefined> {
  return (await q.query<SystemRow>("SELECT * FROM systems WHERE id = $1", [id])).rows[0];
}

/** Every system's row without the counts (what plans are computed from, once per batch). */
export async function systemRows(q: Queryable): Promise<SystemRow[]> {
  return (await q.query<SystemRow>("SELECT * FROM systems ORDER BY lower(name)")).rows;
}

export async function listSystemRows(q: Queryable): Promise<SystemRow[]> {
  return (await q.query<SystemRow>(`${SELECT} ORDER BY lower(s.name)`)).rows;
}

function factoryOf(type: string): ConnectorFactory<unknown> {
  const factory = connectorFactory(type);
  if (!factory) {
    const known = availableConnectorTypes()
      .map((t) => t.type)
      .join(", ");
    throw badRequest("access.unknown_connector_type", `No connector type ${type} (known: ${known})`, [
      { path: "body.connectorType", message: `unknown connector type (known: ${known})` },
    ]);
  }
  return factory;
}

/** The connector's own schema decides: a bad setting is a 400 naming the field. */
function checkConfig(factory: ConnectorFactory<unknown>, config: unknown): Record<string, unknown> {
  const parsed = factory.configSchema.safeParse(config);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const errors = parsed.error.issues.map((i) => ({
    path: ["body", "config", ...i.path.map(String)].join("."),
    message: i.message,
  }));
  throw badRequest(
    "access.invalid_config",
    `The ${factory.label} settings are not valid: ${errors.map((e) => e.path.replace(/^body\./, "")).join(", ")}`,
    errors,
  );
}

function checkSecretNames(factory: ConnectorFactory<unknown>, secrets: Record<string, string> | undefined) {
  const unknown = Object.keys(secrets ?? {}).filter((k) => !factory.secretFields.includes(k));
  if (unknown.length) {
    throw badRequest(
      "access.unknown_secret",
      `${factory.label} takes the secrets ${factory.secretFields.join(", ") || "(none)"}`,
      unknown.map((k) => ({ path: `body.secrets.${k}`, message: "not a secret of this connector type" })),
    );
  }
}

function sealSecrets(envelope: Envelope, id: string, secrets: Record<string, string>): string | null {
  return Object.keys(secrets).length ? envelope.encrypt(JSON.stringify(secrets), secretsAad(id)) : null;
}

async function guard<T>(q: Queryable, fn: () => Promise<T>): Promise<T> {
  await q.query("SAVEPOINT access_system");
  try {
    const out = await fn();
    await q.query("RELEASE SAVEPOINT access_system");
    return out;
  } catch (e) {
    await q.query("ROLLBACK TO SAVEPOINT access_system");
    const err = e as { code?: string; constraint?: string; message?: string };
    if (err.code === "23505")
      throw conflict("access.system_name_in_use", "Another system has this name", "name");
    if (err.code === "23503")
      throw unprocessable("access.unknown_owner", "The owner is not a person in Tandem", [
        { path: "ownerPersonId", message: "does not exist" },
      ]);
    throw e;
  }
}

export async function createSystem(
  q: Queryable,
  ctx: AuditContext,
  envelope: Envelope,
  input: SystemInput,
): Promise<string> {
  const factory = factoryOf(input.connectorType);
  const config = checkConfig(factory, input.config);
  checkSecretNames(factory, input.secrets);
  const id = ulid();
  await guard(q, () =>
    q.query(
      `INSERT INTO systems (id, name, description, owner_person_id, criticality, data_classification,
         connector_type, config, secrets_enc, secret_names, username_rule, enabled, breaker_threshold)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
      [
        id,
        input.name,
        input.description ?? null,
        input.ownerPersonId ?? null,
        input.criticality,
        input.dataClassification,
        factory.type,
        JSON.stringify(config),
        sealSecrets(envelope, id, input.secrets ?? {}),
        Object.keys(input.secrets ?? {}).sort(),
        input.usernameRule,
        input.enabled,
        input.breakerThreshold,
      ],
    ),
  );
  await appendAudit(q, ctx, {
    action: "access.system_created",
    targetType: "system",
    targetId: id,
    details: {
      name: input.name,
      connectorType: factory.type,
      secretsSet: Object.keys(input.secrets ?? {}),
    },
  });
  return id;
}

export async function updateSystem(
  q: Queryable,
  ctx: AuditContext,
  envelope: Envelope,
  id: string,
  patch: SystemPatch,
): Promise<void> {
  const row = await findSystem(q, id, true);
  if (!row) throw notFound("access.system_not_found", "No such system");
  const factory = factoryOf(row.connector_type);
  const sets: string[] = [];
  const values: unknown[] = [];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length + 1}`);
  };
  if (patch.name !== undefined) set("name", patch.name);
  if (patch.description !== undefined) set("description", patch.description);
  if (patch.ownerPersonId !== undefined) set("owner_person_id", patch.ownerPersonId);
  if (patch.criticality !== undefined) set("criticality", patch.criticality);
  if (patch.dataClassification !== undefined) set("data_classification", patch.dataClassification);
  if (patch.config !== undefined) set("config", JSON.stringify(checkConfig(factory, patch.config)));
  if (patch.usernameRule !== undefined) set("username_rule", patch.usernameRule);
  if (patch.enabled !== undefined) set("enabled", patch.enabled);
  if (patch.breakerThreshold !== undefined) set("breaker_threshold", patch.breakerThreshold);
  if (patch.secrets !== undefined) {
    checkSecretNames(factory, patch.secrets);
    const current = row.secrets_enc
      ? (JSON.parse(envelope.decrypt(row.secrets_enc, secretsAad(id))) as Record<string, string>)
      : {};
    const next = { ...current, ...patch.secrets };
    set("secrets_enc", sealSecrets(envelope, id, next));
    set("secret_names", Object.keys(next).sort());
  }
  if (!sets.length) return;
  await guard(q, () =>
    q.query(
      `UPDATE systems SET ${sets.join(", ")}, version = version + 1, updated_at = now() WHERE id = $1`,
      [id, ...values],
    ),
  );
  await appendAudit(q, ctx, {
    action: "access.system_updated",
    targetType: "system",
    targetId: id,
    details: {
      changed: Object.keys(patch).filter((k) => k !== "secrets"),
      secretsSet: Object.keys(patch.secrets ?? {}),
    },
  });
}

/** Deletes a system nothing depends on; one with profiles or plan history is disabled instead. */
export async function deleteSystem(q: Queryable, ctx: AuditContext, id: string): Promise<void> {
  const row = await findSystem(q, id, true);
  if (!row) throw notFound("access.system_not_found", "No such system");
  const used = await q.query<{ profiles: number; steps: number }>(
    `SELECT (SELECT count(*)::int FROM profile_entitlements WHERE system_id = $1) AS profiles,
            (SELECT count(*)::int FROM access_plan_steps WHERE system_id = $1) AS steps`,
    [id],
  );
  const u = used.rows[0] as { profiles: number; steps: number };
  if (u.profiles || u.steps) {
    throw new AppError(
      409,
      "access.system_in_use",
      u.profiles
        ? "Access profiles give access to this system: take it out of them first"
        : "Plans have worked on this system and are evidence: disable the system instead",
    );
  }
  await q.query("DELETE FROM systems WHERE id = $1", [id]);
  await appendAudit(q, ctx, {
    action: "access.system_deleted",
    targetType: "system",
    targetId: id,
    details: { name: row.name },
  });
}

// --- entitlements ------------------------------------------------------------------------------

interface EntitlementRow {
  id: string;
  system_id: string;
  external_id: string;
  name: string;
  kind: EntitlementView["kind"];
  description: string | null;
  present: boolean;
}

export const toEntitlement = (r: EntitlementRow): EntitlementView => ({
  id: r.id,
  systemId: r.system_id,
  externalId: r.external_id,
  name: r.name,
  kind: r.kind,
  description: r.description,
  present: r.present,
});

export async function listEntitlements(q: Queryable, systemId: string): Promise<EntitlementView[]> {
  const r = await q.query<EntitlementRow>(
    "SELECT * FROM entitlements WHERE system_id = $1 ORDER BY lower(name), id",
    [systemId],
  );
  return r.rows.map(toEntitlement);
}

/** Upserts one entitlement by its external id; returns its id. */
export async function upsertEntitlement(
  q: Queryable,
  systemId: string,
  e: { externalId: string; name: string; kind: EntitlementView["kind"]; description?: string | null },
): Promise<string> {
  const r = await q.query<{ id: string }>(
    `INSERT INTO entitlements (id, system_id, external_id, name, kind, description, present, last_read_at)
     VALUES ($1,$2,$3,$4,$5,$6,true,now())
     ON CONFLICT (system_id, lower(external_id)) DO UPDATE
       SET name = EXCLUDED.name, kind = EXCLUDED.kind, description = EXCLUDED.description,
           present = true, last_read_at = now()
     RETURNING id`,
    [ulid(), systemId, e.externalId, e.name, e.kind, e.description ?? null],
  );
  return (r.rows[0] as { id: string }).id;
}
