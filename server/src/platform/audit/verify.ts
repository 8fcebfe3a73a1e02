import type { Db } from "../db/index.js";
import { AUDIT_COLUMNS, type AuditEntry, type AuditRow, entryHash, rowToEntry } from "./chain.js";
import { type Checkpoint, verifyCheckpointSignature } from "./checkpoint.js";

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number;
  headHash: string;
  /** The first broken link, when there is one. */
  broken?: { seq: number; reason: string };
  checkpoint?: { seq: number; ok: boolean; reason?: string };
}

/**
 * Walks the whole chain in order (streaming in pages): each entry's hash must match its
 * content and its prev_hash the previous entry's hash; sequence numbers have no gaps.
 * With a checkpoint, the chain must still contain the signed head unchanged.
 */
export async function verifyChain(
  db: Db,
  opts: { checkpoint?: Checkpoint; publicKeyPem?: string; pageSize?: number } = {},
): Promise<VerifyResult> {
  const pageSize = opts.pageSize ?? 5000;
  let prevHash = "genesis";
  let expectedSeq = 1;
  let checked = 0;
  let checkpointEntry: AuditEntry | undefined;
  let broken: VerifyResult["broken"];
  for (;;) {
    const page = await db.query<AuditRow>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY audit_log.seq LIMIT $2`,
      [expectedSeq, pageSize],
    );
    for (const row of page.rows) {
      const e = rowToEntry(row);
      if (!broken) {
        if (e.seq !== expectedSeq) broken = { seq: expectedSeq, reason: `entry ${expectedSeq} is missing` };
        else if (e.prevHash !== prevHash)
          broken = { seq: e.seq, reason: "prev_hash does not match the previous entry's hash" };
        else if (entryHash(e) !== e.hash)
          broken = { seq: e.seq, reason: "content does not match its hash (entry was altered)" };
      }
      if (opts.checkpoint && e.seq === opts.checkpoint.seq) checkpointEntry = e;
      prevHash = e.hash;
      expectedSeq = e.seq + 1;
      checked++;
    }
    if (page.rows.length < pageSize) break;
  }
  const head = await db.query<{ seq: string; hash: string }>(
    "SELECT seq::text AS seq, hash FROM audit_head WHERE id = 1",
  );
  const headRow = head.rows[0] ?? { seq: "0", hash: "genesis" };
  if (!broken && (Number(headRow.seq) !== expectedSeq - 1 || headRow.hash !== prevHash)) {
    broken = {
      seq: Number(headRow.seq),
      reason: "chain head does not match the last entry (entries removed?)",
    };
  }
  const result: VerifyResult = {
    ok: !broken,
    checked,
    headSeq: expectedSeq - 1,
    headHash: prevHash,
    broken,
  };
  if (opts.checkpoint) {
    const cp = opts.checkpoint;
    let reason: string | undefined;
    if (opts.publicKeyPem && !verifyCheckpointSignature(cp, opts.publicKeyPem)) {
      reason = "checkpoint signature is invalid";
    } else if (cp.seq === 0) {
      // A checkpoint of the empty chain (e.g. signed by the schedule before anything happened).
      if (cp.hash !== "genesis") reason = "checkpoint of the empty chain must name the genesis hash";
    } else if (!checkpointEntry) {
      reason = `entry ${cp.seq} named by the checkpoint is missing (log cut off)`;
    } else if (checkpointEntry.hash !== cp.hash) {
      reason = `entry ${cp.seq} differs from the signed checkpoint (chain rewritten)`;
    }
    result.checkpoint = { seq: cp.seq, ok: !reason, reason };
    if (reason) result.ok = false;
  }
  return result;
}
