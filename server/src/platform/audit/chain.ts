import { createHash } from "node:crypto";
import type { Queryable } from "../db/index.js";
import { ulid } from "../ids/index.js";

export type AuditOutcome = "success" | "failure" | "denied";

/** Who and where: filled from the request by the HTTP layer, or by the CLI/job runner. */
export interface AuditContext {
  actorId?: string | null;
  actorLabel?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

export interface AuditInput {
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  outcome?: AuditOutcome;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  id: string;
  at: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: AuditOutcome;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted, so the hash does not depend on jsonb's key order. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
    .join(",")}}`;
}

export function entryHash(e: Omit<AuditEntry, "hash">): string {
  const body = canonical([
    e.seq,
    e.id,
    e.at,
    e.actorId,
    e.actorLabel,
    e.action,
    e.targetType,
    e.targetId,
    e.outcome,
    e.ip,
    e.userAgent,
    e.requestId,
    e.details,
    e.prevHash,
  ]);
  return createHash("sha256").update(body).digest("hex");
}

/**
 * Appends one entry inside the caller's transaction. The single-row head is locked, so
 * concurrent writers (also on other nodes) are serialised and the chain has no forks.
 */
export async function appendAudit(q: Queryable, ctx: AuditContext, input: AuditInput): Promise<AuditEntry> {
  const head = await q.query<{ seq: string; hash: string }>(
    "SELECT seq::text AS seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
  );
  const prev = head.rows[0] ?? { seq: "0", hash: "genesis" };
  const base: Omit<AuditEntry, "hash"> = {
    seq: Number(prev.seq) + 1,
    id: ulid(),
    at: new Date().toISOString(),
    actorId: ctx.actorId ?? null,
    actorLabel: ctx.actorLabel ?? null,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    outcome: input.outcome ?? "success",
    ip: ctx.ip ?? null,
    userAgent: ctx.userAgent ?? null,
    requestId: ctx.requestId ?? null,
    details: JSON.parse(JSON.stringify(input.details ?? {})),
    prevHash: prev.hash,
  };
  const entry: AuditEntry = { ...base, hash: entryHash(base) };
  await q.query(
    `INSERT INTO audit_log (seq, id, at, actor_id, actor_label, action, target_type, target_id, outcome,
       ip, user_agent, request_id, details, prev_hash, hash)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
    [
      entry.seq,
      entry.id,
      entry.at,
      entry.actorId,
      entry.actorLabel,
      entry.action,
      entry.targetType,
      entry.targetId,
      entry.outcome,
      entry.ip,
      entry.userAgent,
      entry.requestId,
      JSON.stringify(entry.details),
      entry.prevHash,
      entry.hash,
    ],
  );
  await q.query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", [entry.seq, entry.hash]);
  return entry;
}

/**
 * Appends several entries, in the order given, inside the caller's transaction: the head is
 * locked once, the entries are inserted with one statement, and the head moves once. The
 * chain is the same as appending them one by one; bulk work (an access runner recording a
 * batch of steps) pays one round trip instead of three per entry.
 */
export async function appendAuditMany(
  q: Queryable,
  ctx: AuditContext,
  inputs: readonly AuditInput[],
): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  if (inputs.length === 1) return [await appendAudit(q, ctx, inputs[0] as AuditInput)];
  const head = await q.query<{ seq: string; hash: string }>(
    "SELECT seq::text AS seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
  );
  let prev = head.rows[0] ?? { seq: "0", hash: "genesis" };
  const at = new Date().toISOString();
  const entries: AuditEntry[] = [];
  for (const input of inputs) {
    const base: Omit<AuditEntry, "hash"> = {
      seq: Number(prev.seq) + 1,
      id: ulid(),
      at,
      actorId: ctx.actorId ?? null,
      actorLabel: ctx.actorLabel ?? null,
      action: input.action,
      targetType: input.targetType ?? null,
      targetId: input.targetId ?? null,
      outcome: input.outcome ?? "success",
      ip: ctx.ip ?? null,
      userAgent: ctx.userAgent ?? null,
      requestId: ctx.requestId ?? null,
      details: JSON.parse(JSON.stringify(input.details ?? {})),
      prevHash: prev.hash,
    };
    const entry: AuditEntry = { ...base, hash: entryHash(base) };
    entries.push(entry);
    prev = { seq: String(entry.seq), hash: entry.hash };
  }
  const col = <K extends keyof AuditEntry>(k: K) => entries.map((e) => e[k]);
  await q.query(
    `INSERT INTO audit_log (seq, id, at, actor_id, actor_label, action, target_type, target_id, outcome,
       ip, user_agent, request_id, details, prev_hash, hash)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::jsonb[], $14::text[],
       $15::text[])`,
    [
      col("seq"),
      col("id"),
      col("at"),
      col("actorId"),
      col("actorLabel"),
      col("action"),
      col("targetType"),
      col("targetId"),
      col("outcome"),
      col("ip"),
      col("userAgent"),
      col("requestId"),
      entries.map((e) => JSON.stringify(e.details)),
      col("prevHash"),
      col("hash"),
    ],
  );
  const last = entries[entries.length - 1] as AuditEntry;
  await q.query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", [last.seq, last.hash]);
  return entries;
}

export interface AuditRow {
  seq: string;
  id: string;
  at: Date | string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: AuditOutcome;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown> | string;
  prev_hash: string;
  hash: string;
}

export const AUDIT_COLUMNS =
  "seq::text AS seq, id, at, actor_id, actor_label, action, target_type, target_id, outcome, ip, user_agent, request_id, details, prev_hash, hash";

export function rowToEntry(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    id: r.id,
    at: new Date(r.at).toISOString(),
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    outcome: r.outcome,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    details: typeof r.details === "string" ? JSON.parse(r.details) : r.details,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
