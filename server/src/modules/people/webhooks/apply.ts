import type { AuditContext } from "../../../platform/audit/index.js";
import type { Queryable } from "../../../platform/db/index.js";
import { unprocessable } from "../../../platform/http/index.js";
import { findPersonBy } from "../repo.js";
import type { PersonPatch } from "../schemas.js";
import type { PeopleService } from "../service.js";
import type { Delivery } from "./payload.js";

/** Applies a verified delivery through the People service, as the source "webhook". */

interface Refs {
  department?: string | null;
  jobRole?: string | null;
  location?: string | null;
  managerEmployeeNumber?: string | null;
}
interface Ids {
  departmentId?: string | null;
  jobRoleId?: string | null;
  locationId?: string | null;
  managerId?: string | null;
}

const unknownRef = (field: string, value: string, what: string) =>
  unprocessable("webhook.unknown_reference", `No ${what} "${value}" in Tandem`, [
    { path: `data.${field}`, message: `no such ${what}` },
  ]);

async function one(q: Queryable, sql: string, value: string): Promise<string[]> {
  return (await q.query<{ id: string }>(sql, [value])).rows.map((r) => r.id);
}

/** Names and employee numbers to ids; null stays null (clears), undefined stays undefined. */
async function resolveRefs(q: Queryable, r: Refs, currentDepartmentId: string | null): Promise<Ids> {
  const out: Ids = {};
  if (r.department !== undefined) {
    if (r.department === null) out.departmentId = null;
    else {
      const [id] = await one(q, "SELECT id FROM departments WHERE lower(name) = lower($1)", r.department);
      if (!id) throw unknownRef("department", r.department, "department");
      out.departmentId = id;
    }
  }
  if (r.jobRole !== undefined) {
    if (r.jobRole === null) out.jobRoleId = null;
    else {
      const dept = out.departmentId !== undefined ? out.departmentId : currentDepartmentId;
      const rows = (
        await q.query<{ id: string; department_id: string | null }>(
          "SELECT id, department_id FROM job_roles WHERE lower(title) = lower($1) ORDER BY id",
          [r.jobRole],
        )
      ).rows;
      if (!rows.length) throw unknownRef("jobRole", r.jobRole, "job role");
      const inDept = rows.filter((x) => x.department_id === dept);
      const candidates = inDept.length ? inDept : rows;
      if (candidates.length > 1)
        throw unprocessable(
          "webhook.ambiguous_reference",
          `Several job roles are called "${r.jobRole}"; give the department too`,
          [{ path: "data.jobRole", message: "ambiguous" }],
        );
      out.jobRoleId = candidates[0]?.id;
    }
  }
  if (r.location !== undefined) {
    if (r.location === null) out.locationId = null;
    else {
      const [id] = await one(q, "SELECT id FROM locations WHERE lower(name) = lower($1)", r.location);
      if (!id) throw unknownRef("location", r.location, "location");
      out.locationId = id;
    }
  }
  if (r.managerEmployeeNumber !== undefined) {
    if (r.managerEmployeeNumber === null) out.managerId = null;
    else {
      const m = await findPersonBy(q, { employeeNumber: r.managerEmployeeNumber });
      if (!m)
        throw unknownRef("managerEmployeeNumber", r.managerEmployeeNumber, "person with employee number");
      out.managerId = m.id;
    }
  }
  return out;
}

async function personFor(q: Queryable, employeeNumber: string) {
  const p = await findPersonBy(q, { employeeNumber });
  if (!p)
    throw unprocessable("webhook.unknown_person", `No person with employee number ${employeeNumber}`, [
      { path: "data.employeeNumber", message: "no such person" },
    ]);
  return p;
}

export interface Applied {
  personId: string;
  eventId?: string;
}

export async function applyDelivery(
  q: Queryable,
  ctx: AuditContext,
  people: PeopleService,
  d: Delivery,
): Promise<Applied> {
  switch (d.type) {
    case "person.hired": {
      const { department, jobRole, location, managerEmployeeNumber, ...rest } = d.data;
      const ids = await resolveRefs(q, { department, jobRole, location, managerEmployeeNumber }, null);
      const p = await people.create(q, ctx, { ...rest, ...ids }, "webhook");
      return { personId: p.id };
    }
    case "person.updated": {
      const {
        employeeNumber,
        newEmployeeNumber,
        department,
        jobRole,
        location,
        managerEmployeeNumber,
        ...rest
      } = d.data;
      const row = await personFor(q, employeeNumber);
      const ids = await resolveRefs(
        q,
        { department, jobRole, location, managerEmployeeNumber },
        row.department_id,
      );
      const patch: PersonPatch = {
        ...rest,
        ...ids,
        ...(newEmployeeNumber ? { employeeNumber: newEmployeeNumber } : {}),
      };
      const p = await people.patch(q, ctx, row.id, patch, "webhook");
      return { personId: p.id };
    }
    case "person.transferred": {
      const {
        employeeNumber,
        department,
        jobRole,
        location,
        managerEmployeeNumber,
        effectiveDate,
        effectiveAt,
        reason,
      } = d.data;
      const row = await personFor(q, employeeNumber);
      const changes = await resolveRefs(
        q,
        { department, jobRole, location, managerEmployeeNumber },
        row.department_id,
      );
      const e = await people.record(
        q,
        ctx,
        row.id,
        { type: "transfer", changes, effectiveDate, effectiveAt, reason },
        "webhook",
      );
      return { personId: row.id, eventId: e.id };
    }
    case "person.terminated": {
      const { employeeNumber, terminationType, effectiveDate, effectiveAt, reason } = d.data;
      const row = await personFor(q, employeeNumber);
      const e = await people.record(
        q,
        ctx,
        row.id,
        { type: "termination", terminationType, effectiveDate, effectiveAt, reason },
        "webhook",
      );
      return { personId: row.id, eventId: e.id };
    }
    case "person.resigned": {
      const { employeeNumber, lastWorkingDay, effectiveDate, effectiveAt, reason } = d.data;
      const row = await personFor(q, employeeNumber);
      const e = await people.record(
        q,
        ctx,
        row.id,
        { type: "resignation", lastWorkingDay, effectiveDate, effectiveAt, reason },
        "webhook",
      );
      return { personId: row.id, eventId: e.id };
    }
  }
}
