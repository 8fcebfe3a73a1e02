import { type ScimPatchOperation, scimPatch } from "scim-patch";
import { type AuditContext, appendAudit } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { findPerson } from "../repo.js";
import type { PersonPatch } from "../schemas.js";
import type { PeopleService } from "../service.js";
import { WORKING } from "../status.js";
import { ENTERPRISE_SCHEMA } from "./discovery.js";
import { invalidValue, ScimError, scimNotFound } from "./errors.js";
import { type DesiredUser, desiredUser, readUser } from "./user-input.js";
import { findUser, markDeleted, saveLink, toUserResource, type UserRow } from "./user-repo.js";

const TERMINATION_REASON = "deactivated by the identity provider (SCIM)";

/** Weak or strong ETag, or `*`, against a version: 412 when it does not match. */
export function checkIfMatch(header: string | undefined, version: number): void {
  if (!header) return;
  const tags = header.split(",").map((t) => t.trim());
  if (tags.includes("*")) return;
  const ok = tags.some((t) => /^(?:W\/)?"(\d+)"$/.exec(t)?.[1] === String(version));
  if (!ok)
    throw new ScimError(412, undefined, "The resource changed since its ETag was read (If-Match failed)");
}

export async function departmentIdByName(q: Queryable, name: string | null): Promise<string | null> {
  if (name === null) return null;
  const r = await q.query<{ id: string }>("SELECT id FROM departments WHERE lower(name) = lower($1)", [name]);
  const id = r.rows[0]?.id;
  if (!id) throw invalidValue(`Unknown department: "${name}" (create it in Tandem first)`);
  return id;
}

async function managerExists(q: Queryable, id: string | null) {
  if (id && !(await findPerson(q, id))) throw invalidValue(`manager.value: no User with id ${id}`);
}

/**
 * Normalises PATCH operations for the patch library: the op name in lower case, and a
 * path-less value carrying the enterprise extension as an object split into one
 * operation per attribute (the library would read the "2.0" of the URN as a sub-path).
 */
export function normaliseOps(ops: unknown[]): ScimPatchOperation[] {
  const out: ScimPatchOperation[] = [];
  for (const raw of ops) {
    if (typeof raw !== "object" || raw === null) throw invalidValue("Each operation must be an object");
    const o = raw as { op?: unknown; path?: unknown; value?: unknown };
    const op = String(o.op ?? "").toLowerCase();
    if (op !== "add" && op !== "replace" && op !== "remove")
      throw invalidValue(`Unknown PATCH op "${String(o.op)}" (add, replace or remove)`);
    if (o.path !== undefined && typeof o.path !== "string") throw invalidValue("path must be a string");
    if (op === "remove" && !o.path) throw new ScimError(400, "noTarget", "remove needs a path");
    if (
      !o.path &&
      op !== "remove" &&
      typeof o.value === "object" &&
      o.value !== null &&
      !Array.isArray(o.value)
    ) {
      const value: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o.value)) {
        if (k.toLowerCase() === ENTERPRISE_SCHEMA.toLowerCase() && typeof v === "object" && v !== null) {
          for (const [ek, ev] of Object.entries(v))
            out.push({ op, path: `${ENTERPRISE_SCHEMA}:${ek}`, value: ev });
        } else value[k] = v;
      }
      if (Object.keys(value).length) out.push({ op, value });
      continue;
    }
    out.push(o.path ? { op, path: o.path, value: o.value } : ({ op, value: o.value } as ScimPatchOperation));
  }
  return out;
}

export function createUserOps(people: PeopleService, base: string) {
  async function load(q: Queryable, id: string, lock = false): Promise<UserRow> {
    if (lock) await findPerson(q, id, true);
    const row = await findUser(q, id);
    if (!row) throw scimNotFound("User", id);
    return row;
  }

  /** Brings the HR record in line with a desired state: attributes first, then the employment status. */
  async function apply(q: Queryable, ctx: AuditContext, row: UserRow, d: DesiredUser): Promise<void> {
    const working = (WORKING as readonly string[]).includes(row.status);
    if (d.active === true && (row.status === "leaver" || row.status === "alumni")) {
      throw invalidValue(
        "active: true for a leaver would be a rehire, which SCIM does not do; rehire the person in Tandem (People → Record event → Rehire)",
      );
    }
    const departmentId = await departmentIdByName(q, d.department);
    await managerExists(q, d.managerId);
    const patch: PersonPatch = {
      legalName: d.legalName,
      preferredName: d.preferredName,
      workEmail: d.workEmail,
      employeeNumber: d.employeeNumber,
      departmentId,
      managerId: d.managerId,
    };
    await people.patch(q, ctx, row.id, patch, "scim");
    await saveLink(q, row.id, d);
    if (d.active === false && working) {
      await people.record(
        q,
        ctx,
        row.id,
        { type: "termination", terminationType: "involuntary", reason: TERMINATION_REASON },
        "scim",
      );
    } else if (d.active === true && row.status === "candidate") {
      await people.record(q, ctx, row.id, { type: "hire" }, "scim");
      await people.record(q, ctx, row.id, { type: "start" }, "scim");
    }
  }

  async function create(q: Queryable, ctx: AuditContext, body: unknown) {
    const d = desiredUser(readUser(body));
    const departmentId = await departmentIdByName(q, d.department);
    await managerExists(q, d.managerId);
    const person = await people.create(
      q,
      ctx,
      {
        employeeNumber: d.employeeNumber,
        legalName: d.legalName,
        preferredName: d.preferredName,
        workEmail: d.workEmail,
        departmentId,
        managerId: d.managerId,
        employmentType: "employee",
        status: d.active === false ? "candidate" : "active",
      },
      "scim",
    );
    await saveLink(q, person.id, d);
    return toUserResource(await load(q, person.id), base);
  }

  async function replace(q: Queryable, ctx: AuditContext, id: string, body: unknown, ifMatch?: string) {
    const row = await load(q, id, true);
    checkIfMatch(ifMatch, row.version);
    const before = readUser(toUserResource(row, base));
    await apply(q, ctx, row, desiredUser(readUser(body), before));
    return toUserResource(await load(q, id), base);
  }

  async function patch(q: Queryable, ctx: AuditContext, id: string, ops: unknown[], ifMatch?: string) {
    const row = await load(q, id, true);
    checkIfMatch(ifMatch, row.version);
    const current = toUserResource(row, base);
    const patched = scimPatch(current as never, normaliseOps(ops), {
      mutateDocument: false,
      treatMissingAsAdd: true,
    });
    await apply(q, ctx, row, desiredUser(readUser(patched), readUser(current)));
    return toUserResource(await load(q, id), base);
  }

  /** DELETE: the provider no longer wants the person — a termination; HR keeps the record. */
  async function remove(q: Queryable, ctx: AuditContext, id: string, ifMatch?: string) {
    const row = await load(q, id, true);
    checkIfMatch(ifMatch, row.version);
    if (row.status !== "leaver" && row.status !== "alumni") {
      await people.record(
        q,
        ctx,
        id,
        {
          type: "termination",
          terminationType: "involuntary",
          reason: "deleted by the identity provider (SCIM)",
        },
        "scim",
      );
    }
    await markDeleted(q, id);
    await appendAudit(q, ctx, {
      action: "scim.user_deleted",
      targetType: "person",
      targetId: id,
      details: { statusBefore: row.status },
    });
  }

  return { load, create, replace, patch, remove };
}

export type UserOps = ReturnType<typeof createUserOps>;
