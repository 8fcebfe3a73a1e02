/**
 * Leaderboards: departments and teams (a manager's direct reports) ranked by points per head
 * over a span. Everyone at work is counted in their groups; only people who opted in are
 * named in the individual ranking. Groups smaller than MIN_GROUP are left out, so a group's
 * figure never tells one unnamed person's points.
 */
import { z } from "zod";
import type { Queryable } from "../../../platform/db/index.js";
import { WORKING } from "../../people/index.js";
import type { Span } from "./period.js";

export const MIN_GROUP = 3;
const INDIVIDUALS = 50;

export const groupSchema = z.object({
  rank: z.number(),
  groupId: z.string().nullable(),
  name: z.string(),
  heads: z.number(),
  points: z.number(),
  /** Points per head, one decimal. */
  perHead: z.number(),
  /** The caller is in this group. */
  mine: z.boolean(),
});
export const leaderboardSchema = z.object({
  by: z.enum(["department", "team"]),
  from: z.string(),
  to: z.string(),
  groups: z.array(groupSchema),
  /** Groups with fewer than minGroup people, not shown. */
  hiddenGroups: z.number(),
  minGroup: z.number(),
  individuals: z.array(
    z.object({
      rank: z.number(),
      name: z.string(),
      department: z.string().nullable(),
      points: z.number(),
      me: z.boolean(),
    }),
  ),
  me: z.object({
    linked: z.boolean(),
    points: z.number(),
    optedIn: z.boolean(),
    rank: z.number().nullable(),
  }),
});
export type Leaderboard = z.infer<typeof leaderboardSchema>;

const PERIOD_POINTS = `SELECT person_id, sum(points) AS points FROM rewards_points
  WHERE earned_at >= $1 AND earned_at < $2 GROUP BY person_id`;

/** Standard competition ranking (1, 2, 2, 4) by a score, highest first. */
function ranked<T>(items: T[], score: (x: T) => number): (T & { rank: number })[] {
  const sorted = [...items].sort((a, b) => score(b) - score(a));
  return sorted.map((x) => ({ ...x, rank: 1 + sorted.filter((y) => score(y) > score(x)).length }));
}

export async function leaderboard(
  q: Queryable,
  by: "department" | "team",
  span: Span,
  me: { personId: string | null; departmentId: string | null; managerId: string | null },
): Promise<Leaderboard> {
  const working = [...WORKING];
  const sql =
    by === "department"
      ? `WITH pts AS (${PERIOD_POINTS})
         SELECT p.department_id AS group_id, COALESCE(d.name, 'No department') AS name, count(*) AS heads,
           COALESCE(sum(pts.points), 0) AS points
         FROM people p LEFT JOIN departments d ON d.id = p.department_id LEFT JOIN pts ON pts.person_id = p.id
         WHERE p.status = ANY($3::text[]) GROUP BY p.department_id, d.name`
      : `WITH pts AS (${PERIOD_POINTS})
         SELECT p.manager_id AS group_id, COALESCE(m.preferred_name, m.legal_name) AS name, count(*) AS heads,
           COALESCE(sum(pts.points), 0) AS points
         FROM people p JOIN people m ON m.id = p.manager_id LEFT JOIN pts ON pts.person_id = p.id
         WHERE p.status = ANY($3::text[]) GROUP BY p.manager_id, m.preferred_name, m.legal_name`;
  const r = await q.query<{
    group_id: string | null;
    name: string;
    heads: string | number;
    points: string | number;
  }>(sql, [span.from, span.to, working]);
  const all = r.rows.map((x) => {
    const heads = Number(x.heads);
    const points = Number(x.points);
    return {
      groupId: x.group_id,
      name: by === "team" ? `Team of ${x.name}` : x.name,
      heads,
      points,
      perHead: heads ? Math.round((points * 10) / heads) / 10 : 0,
      mine: me.personId !== null && x.group_id === (by === "department" ? me.departmentId : me.managerId),
    };
  });
  const shown = all.filter((g) => g.heads >= MIN_GROUP).sort((a, b) => a.name.localeCompare(b.name));
  const ind = await q.query<{ id: string; name: string; department: string | null; points: string | number }>(
    `WITH pts AS (${PERIOD_POINTS})
     SELECT p.id, COALESCE(p.preferred_name, p.legal_name) AS name, d.name AS department,
       COALESCE(pts.points, 0) AS points
     FROM people p JOIN rewards_settings s ON s.person_id = p.id AND s.leaderboard_opt_in
     LEFT JOIN departments d ON d.id = p.department_id LEFT JOIN pts ON pts.person_id = p.id
     WHERE p.status = ANY($3::text[])
     ORDER BY points DESC, name, p.id`,
    [span.from, span.to, working],
  );
  const people = ranked(
    ind.rows.map((x) => ({
      name: x.name,
      department: x.department,
      points: Number(x.points),
      me: x.id === me.personId,
    })),
    (x) => x.points,
  );
  const mine = people.find((x) => x.me);
  let myPoints = mine?.points ?? 0;
  if (me.personId && !mine) {
    const p = await q.query<{ n: string | number }>(
      "SELECT COALESCE(sum(points), 0) AS n FROM rewards_points WHERE person_id = $1 AND earned_at >= $2 AND earned_at < $3",
      [me.personId, span.from, span.to],
    );
    myPoints = Number(p.rows[0]?.n ?? 0);
  }
  return {
    by,
    from: span.from.toISOString(),
    to: span.to.toISOString(),
    groups: ranked(shown, (g) => g.perHead),
    hiddenGroups: all.length - shown.length,
    minGroup: MIN_GROUP,
    individuals: people.slice(0, INDIVIDUALS),
    me: { linked: me.personId !== null, points: myPoints, optedIn: !!mine, rank: mine?.rank ?? null },
  };
}
