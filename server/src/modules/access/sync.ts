/**
 * Reading a system: test the connection, and read every account and entitlement into the
 * actual state. A read that fails, or that comes back empty where accounts were known,
 * keeps the previous actual state and says why: it never means "no accounts". Unlinked
 * accounts are linked to people by the system's match rules (reconcile-match.ts).
 */
import type { Account, Entitlement, TestConnectionResult } from "../../connectors/index.js";
import { isConnectorError } from "../../connectors/index.js";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Db } from "../../platform/db/index.js";
import { AppError, notFound } from "../../platform/http/index.js";
import { saveAccount } from "./accounts.js";
import { findSystem, type SystemRow, upsertEntitlement } from "./catalogue.js";
import type { ConnectorPool } from "./connectors.js";
import { linkByRules } from "./reconcile-match.js";

export interface SyncResult {
  accounts: number;
  entitlements: number;
  linked: number;
  removed: number;
}

async function systemOrThrow(db: Db, id: string): Promise<SystemRow> {
  const row = await findSystem(db, id);
  if (!row) throw notFound("access.system_not_found", "No such system");
  return row;
}

export async function testSystem(
  db: Db,
  pool: ConnectorPool,
  ctx: AuditContext,
  id: string,
): Promise<TestConnectionResult> {
  const row = await systemOrThrow(db, id);
  let result: TestConnectionResult;
  try {
    pool.drop(id); // test the settings as they are now, on a fresh connection
    result = await pool.get(row).testConnection();
  } catch (err) {
    if (!isConnectorError(err)) throw err;
    result = { ok: false, detail: err.message, kind: err.kind };
  }
  if (!result.ok) pool.drop(id);
  await db.tx((q) =>
    appendAudit(q, ctx, {
      action: "access.system_tested",
      targetType: "system",
      targetId: id,
      outcome: result.ok ? "success" : "failure",
      details: { ok: result.ok, kind: result.kind ?? null },
    }),
  );
  return result;
}

/** Why a read stopped, as a problem for the caller. */
function readFailed(message: string, unreachable: boolean): AppError {
  return new AppError(
    502,
    unreachable ? "access.system_unreachable" : "access.sync_failed",
    `${message}. The accounts Tandem knew before are kept.`,
  );
}

/** Reads every account and entitlement of a system into the actual state (linking accounts to people). */
export async function syncSystem(
  db: Db,
  pool: ConnectorPool,
  ctx: AuditContext,
  id: string,
): Promise<SyncResult> {
  const row = await systemOrThrow(db, id);
  let accounts: Account[] = [];
  let entitlements: Entitlement[] = [];
  let listed = false;
  try {
    const connector = pool.get(row);
    if (connector.meta.capabilities.listEntitlements) {
      entitlements = await connector.listEntitlements();
      listed = entitlements.length > 0;
    }
    for await (const a of connector.listAccounts()) accounts.push(a);
  } catch (err) {
    if (!isConnectorError(err)) throw err;
    pool.drop(id);
    await recordFailure(db, ctx, id, err.message);
    throw readFailed(`Reading ${row.name} failed: ${err.message}`, err.kind === "unreachable");
  }
  if (accounts.length === 0 && (row.accounts ?? 0) > 0) {
    const message = `${row.name} reported no accounts at all, where ${row.accounts} were known; that is taken as a failed read`;
    await recordFailure(db, ctx, id, message);
    throw readFailed(message, false);
  }
  const result = await db.tx(async (q) => {
    await q.query("SELECT 1 FROM systems WHERE id = $1 FOR UPDATE", [id]);
    for (const e of entitlements) await upsertEntitlement(q, id, e);
    if (listed) {
      await q.query(
        `UPDATE entitlements SET present = false
         WHERE system_id = $1 AND NOT (lower(external_id) = ANY ($2::text[]))`,
        [id, entitlements.map((e) => e.externalId.toLowerCase())],
      );
    }
    // An account keeps the person it is linked to; the unlinked are matched after the read.
    for (const a of accounts) await saveAccount(q, id, a);
    const seen = accounts.map((a) => a.externalId);
    const removed = await q.query(
      "DELETE FROM accounts WHERE system_id = $1 AND NOT (external_id = ANY ($2::text[]))",
      [id, seen],
    );
    // The system's match rules (employee number, then work email, unless it says otherwise);
    // an account the rules tie to several people stays unlinked for a person to decide.
    const linked = await linkByRules(q, id);
    await q.query("UPDATE systems SET last_sync_at = now(), last_sync_error = NULL WHERE id = $1", [id]);
    const out: SyncResult = {
      accounts: accounts.length,
      entitlements: entitlements.length,
      linked,
      removed: removed.rowCount,
    };
    await appendAudit(q, ctx, {
      action: "access.system_synced",
      targetType: "system",
      targetId: id,
      details: { ...out },
    });
    return out;
  });
  accounts = [];
  return result;
}

async function recordFailure(db: Db, ctx: AuditContext, id: string, message: string) {
  await db.tx(async (q) => {
    await q.query("UPDATE systems SET last_sync_error = $2 WHERE id = $1", [id, message.slice(0, 2000)]);
    await appendAudit(q, ctx, {
      action: "access.system_synced",
      targetType: "system",
      targetId: id,
      outcome: "failure",
      details: { error: message.slice(0, 500) },
    });
  });
}
