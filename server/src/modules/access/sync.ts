/**
 * Reading a system: test the connection, and read every account and entitlement into the
 * actual state. A read that fails, or that comes back empty where accounts were known,
 * keeps the previous actual state and says why: it never means "no accounts".
 */
import type { Account, Entitlement, TestConnectionResult } from "../../connectors/index.js";
import { isConnectorError } from "../../connectors/index.js";
import { type AuditContext, appendAudit } from "../../platform/audit/index.js";
import type { Db, Queryable } from "../../platform/db/index.js";
import { AppError, notFound } from "../../platform/http/index.js";
import { findPersonBy } from "../people/index.js";
import { saveAccount } from "./accounts.js";
import { findSystem, type SystemRow, upsertEntitlement } from "./catalogue.js";
import type { ConnectorPool } from "./connectors.js";

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

async function linkByHrRecord(q: Queryable, a: Account): Promise<string | null> {
  if (a.employeeNumber) {
    const p = await findPersonBy(q, { employeeNumber: a.employeeNumber });
    if (p) return p.id;
  }
  if (a.email) {
    const p = await findPersonBy(q, { workEmail: a.email });
    if (p) return p.id;
  }
  return null;
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
    const known = await q.query<{ external_id: string; person_id: string | null }>(
      "SELECT external_id, person_id FROM accounts WHERE system_id = $1",
      [id],
    );
    const linkedBefore = new Map(known.rows.map((r) => [r.external_id, r.person_id]));
    let linked = 0;
    for (const a of accounts) {
      let personId = linkedBefore.get(a.externalId) ?? null;
      if (!personId) {
        personId = await linkByHrRecord(q, a);
        if (personId) linked++;
      }
      await saveAccount(q, id, a, personId);
    }
    const seen = accounts.map((a) => a.externalId);
    const removed = await q.query(
      "DELETE FROM accounts WHERE system_id = $1 AND NOT (external_id = ANY ($2::text[]))",
      [id, seen],
    );
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
