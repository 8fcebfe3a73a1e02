import type { Queryable } from "../db/index.js";
import { AUDIT_COLUMNS, type AuditEntry, type AuditRow, rowToEntry } from "./chain.js";

export interface AuditFilter {
  action?: string;
  actor?: string;
  targetId?: string;
  outcome?: string;
  from?: string;
  to?: string;
  /** Return entries with seq below this (newest first paging). */
  beforeSeq?: number;
  limit: number;
}

export async function listAudit(q: Queryable, f: AuditFilter): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replaceAll("?", `$${params.length}`));
  };
  if (f.action) add("action LIKE ?", `${f.action.replace(/[%_\\]/g, "\\$&")}%`);
  if (f.actor) add("(actor_id = ? OR actor_label ILIKE '%' || ? || '%')", f.actor);
  if (f.targetId) add("target_id = ?", f.targetId);
  if (f.outcome) add("outcome = ?", f.outcome);
  if (f.from) add("at >= ?", f.from);
  if (f.to) add("at < ?", f.to);
  if (f.beforeSeq) add("seq < ?", f.beforeSeq);
  const sql = where.join(" AND ");
  params.push(f.limit);
  const r = await q.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_log ${sql ? `WHERE ${sql}` : ""} ORDER BY audit_log.seq DESC LIMIT $${params.length}`,
    params,
  );
  return r.rows.map(rowToEntry);
}

/** Streams entries since a time, oldest first, as NDJSON lines. */
export async function* exportAudit(q: Queryable, since?: string, pageSize = 5000): AsyncGenerator<string> {
  let after = 0;
  for (;;) {
    const r = await q.query<AuditRow>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ${since ? "AND at >= $3" : ""} ORDER BY audit_log.seq LIMIT $2`,
      since ? [after, pageSize, since] : [after, pageSize],
    );
    for (const row of r.rows) {
      const e = rowToEntry(row);
      after = e.seq;
      yield `${JSON.stringify(e)}\n`;
    }
    if (r.rows.length < pageSize) return;
  }
}
