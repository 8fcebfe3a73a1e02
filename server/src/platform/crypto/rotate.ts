import type { Db } from "../db/index.js";
import type { Envelope } from "./envelope.js";

/** A column holding envelope-encrypted values; aad(row id) must match what encrypt used. */
export interface EncryptedColumn {
  table: string;
  idColumn: string;
  column: string;
  aad: (id: string) => string;
}

export const encryptedColumns: EncryptedColumn[] = [];

export function registerEncryptedColumn(c: EncryptedColumn): void {
  if (!encryptedColumns.some((e) => e.table === c.table && e.column === c.column)) encryptedColumns.push(c);
}

export interface RotateProgress {
  table: string;
  column: string;
  rewrapped: number;
}

/**
 * Re-wraps every data key under the active master key, in small batches, each its own
 * transaction, so servers keep running (they read any key still in the keyring).
 */
export async function rotateKeys(
  db: Db,
  envelope: Envelope,
  activeKeyId: string,
  onProgress: (p: RotateProgress) => void = () => {},
  batchSize = 200,
): Promise<RotateProgress[]> {
  const results: RotateProgress[] = [];
  for (const col of encryptedColumns) {
    let rewrapped = 0;
    for (;;) {
      const n = await db.tx(async (q) => {
        const rows = await q.query<{ id: string; value: string }>(
          `SELECT ${col.idColumn} AS id, ${col.column} AS value FROM ${col.table}
           WHERE ${col.column} IS NOT NULL AND split_part(${col.column}, '.', 2) <> $1
           LIMIT $2 FOR UPDATE`,
          [activeKeyId, batchSize],
        );
        for (const row of rows.rows) {
          const next = envelope.rewrap(row.value, col.aad(row.id));
          await q.query(`UPDATE ${col.table} SET ${col.column} = $1 WHERE ${col.idColumn} = $2`, [
            next,
            row.id,
          ]);
        }
        return rows.rows.length;
      });
      rewrapped += n;
      onProgress({ table: col.table, column: col.column, rewrapped });
      if (n < batchSize) break;
    }
    results.push({ table: col.table, column: col.column, rewrapped });
  }
  return results;
}
