import { scimPatch } from "scim-patch";
import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { ulid } from "../../../platform/ids/index.js";
import { GROUP_SCHEMA } from "./discovery.js";
import { invalidSyntax, invalidValue, ScimError, scimNotFound } from "./errors.js";
import { type AttributeMap, compileFilter } from "./filter.js";
import { checkIfMatch, normaliseOps } from "./users.js";

interface GroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

interface Member {
  value: string;
  display: string;
}

const MEMBERS = "FROM scim_group_members m JOIN people mp ON mp.id = m.person_id WHERE m.group_id = g.id";

export const GROUP_ATTRIBUTES: AttributeMap = {
  id: { sql: "g.id", type: "string", caseExact: true },
  externalid: { sql: "g.external_id", type: "string", caseExact: true },
  displayname: { sql: "g.display_name", type: "string" },
  members: { sql: "m.person_id", type: "string", caseExact: true, multi: MEMBERS },
  "members.value": { sql: "m.person_id", type: "string", caseExact: true, multi: MEMBERS },
  "members.display": { sql: "COALESCE(mp.preferred_name, mp.legal_name)", type: "string", multi: MEMBERS },
  "members.type": { sql: "'User'", type: "string", multi: MEMBERS },
  "meta.created": { sql: "date_trunc('milliseconds', g.created_at)", type: "dateTime" },
  "meta.lastmodified": { sql: "date_trunc('milliseconds', g.updated_at)", type: "dateTime" },
  "meta.resourcetype": { sql: "'Group'", type: "string" },
};

const iso = (d: Date | string) => new Date(d).toISOString();
export const groupEtag = (version: number) => `W/"${version}"`;

async function membersOf(q: Queryable, ids: string[]): Promise<Map<string, Member[]>> {
  const out = new Map<string, Member[]>(ids.map((id) => [id, []]));
  if (!ids.length) return out;
  const r = await q.query<{ group_id: string; person_id: string; display: string }>(
    `SELECT m.group_id, m.person_id, COALESCE(p.preferred_name, p.legal_name) AS display
     FROM scim_group_members m JOIN people p ON p.id = m.person_id
     WHERE m.group_id = ANY($1) ORDER BY m.group_id, lower(p.legal_name), p.id`,
    [ids],
  );
  for (const m of r.rows) out.get(m.group_id)?.push({ value: m.person_id, display: m.display });
  return out;
}

function toGroupResource(g: GroupRow, members: Member[], base: string): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: g.id,
    ...(g.external_id !== null ? { externalId: g.external_id } : {}),
    displayName: g.display_name,
    members: members.map((m) => ({ ...m, type: "User", $ref: `${base}/Users/${m.value}` })),
    meta: {
      resourceType: "Group",
      created: iso(g.created_at),
      lastModified: iso(g.updated_at),
      location: `${base}/Groups/${g.id}`,
      version: groupEtag(g.version),
    },
  };
}

interface GroupInput {
  displayName: string;
  externalId: string | null;
  members: string[];
}

function readGroup(body: unknown): GroupInput {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalidSyntax("The body must be a JSON object (a SCIM Group)");
  const o = Object.fromEntries(Object.entries(body).map(([k, v]) => [k.toLowerCase(), v]));
  const schemas = o.schemas;
  const core = GROUP_SCHEMA.toLowerCase();
  if (
    schemas !== undefined &&
    (!Array.isArray(schemas) || !schemas.some((s) => String(s).toLowerCase() === core))
  )
    throw invalidValue(`schemas must include ${GROUP_SCHEMA}`);
  const name = typeof o.displayname === "string" ? o.displayname.trim() : "";
  if (!name || name.length > 200) throw invalidValue("displayName is required (at most 200 characters)");
  if (o.externalid !== undefined && o.externalid !== null && typeof o.externalid !== "string")
    throw invalidValue("externalId must be a string");
  const raw = o.members ?? [];
  if (!Array.isArray(raw)) throw invalidValue("members must be an array");
  const members = raw.map((m, i) => {
    const e =
      typeof m === "object" && m !== null
        ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k.toLowerCase(), v]))
        : {};
    if (typeof e.value !== "string" || !e.value) throw invalidValue(`members[${i}].value is required`);
    if (e.type !== undefined && String(e.type).toLowerCase() !== "user")
      throw invalidValue(`members[${i}]: only Users can be members (got type ${String(e.type)})`);
    return e.value;
  });
  return {
    displayName: name,
    externalId: (o.externalid as string | undefined) ?? null,
    members: [...new Set(members)],
  };
}

export function createGroupOps(base: string) {
  async function row(q: Queryable, id: string, lock = false): Promise<GroupRow> {
    const r = await q.query<GroupRow>(`SELECT * FROM scim_groups WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [
      id,
    ]);
    if (!r.rows[0]) throw scimNotFound("Group", id);
    return r.rows[0];
  }

  async function get(q: Queryable, id: string) {
    const g = await row(q, id);
    return toGroupResource(g, (await membersOf(q, [id])).get(id) ?? [], base);
  }

  async function list(q: Queryable, filter: string | undefined, startIndex: number, count: number) {
    const f = compileFilter(filter, GROUP_ATTRIBUTES, "Group");
    const total = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM scim_groups g WHERE ${f.where}`,
      f.params,
    );
    const rows =
      count > 0
        ? (
            await q.query<GroupRow>(
              `SELECT g.* FROM scim_groups g WHERE ${f.where} ORDER BY g.created_at, g.id LIMIT ${count} OFFSET ${startIndex - 1}`,
              f.params,
            )
          ).rows
        : [];
    const members = await membersOf(
      q,
      rows.map((g) => g.id),
    );
    return {
      total: total.rows[0]?.n ?? 0,
      resources: rows.map((g) => toGroupResource(g, members.get(g.id) ?? [], base)),
    };
  }

  async function checkMembers(q: Queryable, ids: string[]) {
    if (!ids.length) return;
    const r = await q.query<{ id: string }>("SELECT id FROM people WHERE id = ANY($1)", [ids]);
    const known = new Set(r.rows.map((x) => x.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) throw invalidValue(`members: no User with id ${unknown.join(", ")}`);
  }

  /** Writes name, externalId and members; a duplicate name is a uniqueness conflict. */
  async function write(q: Queryable, id: string, input: GroupInput, insert: boolean) {
    await checkMembers(q, input.members);
    try {
      await q.query("SAVEPOINT scim_group");
      if (insert) {
        await q.query("INSERT INTO scim_groups (id, display_name, external_id) VALUES ($1, $2, $3)", [
          id,
          input.displayName,
          input.externalId,
        ]);
      } else {
        await q.query(
          "UPDATE scim_groups SET display_name = $2, external_id = $3, version = version + 1, updated_at = now() WHERE id = $1",
          [id, input.displayName, input.externalId],
        );
      }
      await q.query("RELEASE SAVEPOINT scim_group");
    } catch (e) {
      await q.query("ROLLBACK TO SAVEPOINT scim_group");
      if ((e as { code?: string }).code === "23505")
        throw new ScimError(409, "uniqueness", `A group named "${input.displayName}" already exists`);
      throw e;
    }
    const before = new Set(((await membersOf(q, [id])).get(id) ?? []).map((m) => m.value));
    const after = new Set(input.members);
    const added = [...after].filter((m) => !before.has(m));
    const removed = [...before].filter((m) => !after.has(m));
    if (removed.length)
      await q.query("DELETE FROM scim_group_members WHERE group_id = $1 AND person_id = ANY($2)", [
        id,
        removed,
      ]);
    for (const m of added)
      await q.query("INSERT INTO scim_group_members (group_id, person_id) VALUES ($1, $2)", [id, m]);
    return { added, removed };
  }

  async function create(q: Queryable, ctx: AuditContext, body: unknown) {
    const input = readGroup(body);
    const id = ulid();
    const { added } = await write(q, id, input, true);
    await appendAudit(q, ctx, {
      action: "scim.group_created",
      targetType: "scim_group",
      targetId: id,
      details: { displayName: input.displayName, members: added.length },
    });
    return get(q, id);
  }

  async function save(q: Queryable, ctx: AuditContext, id: string, input: GroupInput) {
    const { added, removed } = await write(q, id, input, false);
    await appendAudit(q, ctx, {
      action: "scim.group_updated",
      targetType: "scim_group",
      targetId: id,
      details: { displayName: input.displayName, added, removed },
    });
    return get(q, id);
  }

  async function replace(q: Queryable, ctx: AuditContext, id: string, body: unknown, ifMatch?: string) {
    checkIfMatch(ifMatch, (await row(q, id, true)).version);
    return save(q, ctx, id, readGroup(body));
  }

  async function patch(q: Queryable, ctx: AuditContext, id: string, ops: unknown[], ifMatch?: string) {
    checkIfMatch(ifMatch, (await row(q, id, true)).version);
    const current = await get(q, id);
    const patched = scimPatch(current as never, normaliseOps(ops), {
      mutateDocument: false,
      treatMissingAsAdd: true,
    });
    return save(q, ctx, id, readGroup(patched));
  }

  async function remove(q: Queryable, ctx: AuditContext, id: string, ifMatch?: string) {
    const g = await row(q, id, true);
    checkIfMatch(ifMatch, g.version);
    await q.query("DELETE FROM scim_groups WHERE id = $1", [id]);
    await appendAudit(q, ctx, {
      action: "scim.group_deleted",
      targetType: "scim_group",
      targetId: id,
      details: { displayName: g.display_name },
    });
  }

  return { get, list, create, replace, patch, remove };
}
