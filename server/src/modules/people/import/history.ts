import type { Queryable } from "../../../platform/db/index.js";
import { PERSON_SELECT } from "../repo.js";

/** to_char's pattern for a UTC moment written as Date.prototype.toISOString writes it. */
const ISO_MS = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';

/**
 * Writes a history version of each person as they are now: what writeHistory (repo.ts) writes
 * for one, the record as read and turned into JSON, here built where it is read. Timestamps
 * are written as JSON.stringify writes a Date. `unlinked` leaves out the account, as a create
 * does for the first version (written before the account is linked).
 *
 * Each id is read with an index probe of its own (LATERAL … LIMIT 1): as one join, the
 * manager look-up may be planned as a scan of every person, which grows with each batch of a
 * large import.
 */
export async function writeHistories(
  q: Queryable,
  people: { id: string; eventId: string | null }[],
  validFrom: Date,
  unlinked: boolean,
): Promise<void> {
  if (!people.length) return;
  await q.query(
    `INSERT INTO person_history (person_id, version, valid_from, snapshot, event_id)
     SELECT s.id, s.version, $3::timestamptz,
       to_jsonb(s) - 'high_risk_reason_enc' || jsonb_build_object(
         'created_at', to_char(s.created_at AT TIME ZONE 'UTC', $4),
         'updated_at', to_char(s.updated_at AT TIME ZONE 'UTC', $4))
         || CASE WHEN $5 THEN jsonb_build_object('user_id', NULL) ELSE '{}'::jsonb END,
       x.e
     FROM unnest($1::text[], $2::text[]) AS x(id, e)
     CROSS JOIN LATERAL (${PERSON_SELECT} WHERE p.id = x.id LIMIT 1) s
     ON CONFLICT (person_id, version) DO NOTHING`,
    [people.map((p) => p.id), people.map((p) => p.eventId), validFrom.toISOString(), ISO_MS, unlinked],
  );
}
