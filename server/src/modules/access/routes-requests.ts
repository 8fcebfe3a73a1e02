import { z } from "zod";
import type { AuditContext } from "../../platform/audit/index.js";
import { appendAudit } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import {
  AppError,
  conflict,
  decodeCursor,
  encodeCursor,
  notFound,
  unprocessable,
} from "../../platform/http/index.js";
import { type AccessDeps, caller, iso } from "./context.js";
import type { PlanDeps } from "./plans.js";
import { ACCESS_ADMIN, ACCESS_READ } from "./policy.js";
import {
  auditRefusal,
  type Caller,
  callerOf,
  cancelRequest,
  canSee,
  closeOnDeparture,
  createRequest,
  decideRequest,
  endRequestGrant,
  REQUEST_SWEEP_JOB,
  type RequestRow,
  type StepRow,
  sweepRequests,
} from "./requests.js";
import {
  APPROVAL_CHAINS,
  type ApprovalChain,
  CLASSIFICATION,
  CRITICALITY,
  idParams,
  REQUEST_STATES,
  type RequestState,
  type RequestView,
  requestInput,
  requestSchema,
  sodRuleInput,
  sodRulePatch,
  sodRuleSchema,
} from "./schemas.js";
import type { AccessService } from "./service.js";
import { createSodRule, deleteSodRule, getSodRule, listSodRules, updateSodRule } from "./sod.js";

// --- reading requests --------------------------------------------------------------------------

interface ViewRow extends RequestRow {
  person_name: string;
  system_name: string;
  entitlement_name: string | null;
}

interface StepViewRow extends StepRow {
  request_id: string;
  wanted_role: "manager" | "owner";
  approver_name: string | null;
  routed_reason: string | null;
  decided_by_label: string | null;
  comment: string | null;
  decided_at: Date | string | null;
}

const SELECT = `SELECT r.*, COALESCE(p.preferred_name, p.legal_name) AS person_name, s.name AS system_name,
    e.name AS entitlement_name
  FROM access_requests r JOIN people p ON p.id = r.person_id JOIN systems s ON s.id = r.system_id
  LEFT JOIN entitlements e ON e.id = r.entitlement_id`;

async function stepsOf(q: Queryable, ids: string[]): Promise<Map<string, StepViewRow[]>> {
  const r = await q.query<StepViewRow>(
    `SELECT st.*, COALESCE(a.preferred_name, a.legal_name) AS approver_name
     FROM access_request_steps st LEFT JOIN people a ON a.id = st.approver_person_id
     WHERE st.request_id = ANY ($1::text[]) ORDER BY st.request_id, st.seq`,
    [ids],
  );
  const out = new Map<string, StepViewRow[]>();
  for (const s of r.rows) out.set(s.request_id, [...(out.get(s.request_id) ?? []), s]);
  return out;
}

const toView = (r: ViewRow, steps: StepViewRow[]): RequestView => ({
  id: r.id,
  personId: r.person_id,
  personName: r.person_name,
  systemId: r.system_id,
  systemName: r.system_name,
  entitlementId: r.entitlement_id,
  entitlementName: r.entitlement_name,
  reason: r.reason,
  endsAt: iso(r.ends_at),
  state: r.state,
  approvalChain: r.approval_chain,
  currentStep: r.state === "pending" ? (steps.find((s) => s.state === "pending")?.seq ?? null) : null,
  steps: steps.map((s) => ({
    seq: s.seq,
    role: s.role,
    wantedRole: s.wanted_role,
    approverPersonId: s.approver_person_id,
    approverName: s.approver_name,
    routedReason: s.routed_reason,
    state: s.state as RequestView["steps"][number]["state"],
    decidedBy: s.decided_by_label,
    comment: s.comment,
    decidedAt: iso(s.decided_at),
  })),
  sodRules: r.sod_rules ?? [],
  sodJustification: r.sod_justification,
  grantPlanId: r.grant_plan_id,
  endPlanId: r.end_plan_id,
  decidedAt: iso(r.decided_at),
  grantedAt: iso(r.granted_at),
  endedAt: iso(r.ended_at),
  endReason: r.end_reason,
  createdAt: iso(r.created_at) as string,
  updatedAt: iso(r.updated_at) as string,
});

/** One request as the caller may see it (404 when they may not; no caller: the CLI sees all). */
export async function getRequest(q: Queryable, c: Caller | null, id: string): Promise<RequestView> {
  const row = (await q.query<ViewRow>(`${SELECT} WHERE r.id = $1`, [id])).rows[0];
  const steps = row ? ((await stepsOf(q, [id])).get(id) ?? []) : [];
  if (!row || (c && !canSee(c, row, steps)))
    throw notFound("access.request_not_found", "No such access request");
  return toView(row, steps);
}

export interface RequestFilter {
  mine?: boolean;
  toApprove?: boolean;
  state?: RequestState;
  personId?: string;
  cursor?: string;
  limit: number;
}

/**
 * Requests newest first. `mine`: the caller's own; `toApprove`: those waiting for the caller
 * now. Without either, everything the caller may see (all of them with access:read).
 */
export async function listRequests(
  q: Queryable,
  c: Caller | null,
  f: RequestFilter,
): Promise<{ items: RequestView[]; nextCursor: string | null }> {
  const values: unknown[] = [];
  const v = (x: unknown) => {
    values.push(x);
    return `$${values.length}`;
  };
  const where: string[] = [];
  const me = c?.personId ?? "";
  const security = c ? c.permissions.has("access:admin") : false;
  const approverOf = (states: string) =>
    `EXISTS (SELECT 1 FROM access_request_steps st WHERE st.request_id = r.id AND st.state IN (${states})
       AND (st.approver_person_id = ${v(me)} OR (st.role = 'security' AND ${v(security)}::boolean)))`;
  const either: string[] = [];
  if (f.mine) either.push(`r.person_id = ${v(me)}`);
  if (f.toApprove && c)
    either.push(`(r.state = 'pending' AND r.person_id <> ${v(me)} AND ${approverOf("'pending'")}
      AND NOT EXISTS (SELECT 1 FROM access_request_steps d WHERE d.request_id = r.id AND d.decided_by = ${v(c.userId)}))`);
  if (either.length) where.push(`(${either.join(" OR ")})`);
  if (c && !c.permissions.has("access:read"))
    where.push(
      `(r.person_id = ${v(me)} OR ${approverOf("'waiting', 'pending', 'approved', 'rejected', 'cancelled'")})`,
    );
  if (f.state) where.push(`r.state = ${v(f.state)}`);
  if (f.personId) where.push(`r.person_id = ${v(f.personId)}`);
  const after = decodeCursor(f.cursor, z.object({ b: z.string() }).strict());
  if (after) where.push(`r.id < ${v(after.b)}`);
  const rows = (
    await q.query<ViewRow>(
      `${SELECT}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY r.id DESC LIMIT ${v(f.limit + 1)}`,
      values,
    )
  ).rows;
  const more = rows.length > f.limit;
  const page = rows.slice(0, f.limit);
  const steps = await stepsOf(
    q,
    page.map((r) => r.id),
  );
  const last = page[page.length - 1];
  return {
    items: page.map((r) => toView(r, steps.get(r.id) ?? [])),
    nextCursor: more && last ? encodeCursor({ b: last.id }) : null,
  };
}

// --- what can be requested ---------------------------------------------------------------------

const catalogueSchema = z.object({
  items: z.array(
    z.object({
      systemId: z.string(),
      name: z.string(),
      description: z.string().nullable(),
      criticality: z.enum(CRITICALITY),
      dataClassification: z.enum(CLASSIFICATION),
      approvalChain: z.enum(APPROVAL_CHAINS),
      entitlements: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          kind: z.enum(["group", "role", "licence"]),
          description: z.string().nullable(),
        }),
      ),
    }),
  ),
});

async function requestable(q: Queryable): Promise<z.infer<typeof catalogueSchema>> {
  const systems = await q.query<{
    id: string;
    name: string;
    description: string | null;
    criticality: (typeof CRITICALITY)[number];
    data_classification: (typeof CLASSIFICATION)[number];
    approval_chain: ApprovalChain;
  }>(
    `SELECT id, name, description, criticality, data_classification, approval_chain FROM systems
     WHERE enabled AND requestable ORDER BY lower(name), id`,
  );
  const ents = await q.query<{
    id: string;
    system_id: string;
    name: string;
    kind: "group" | "role" | "licence";
    description: string | null;
  }>(
    `SELECT e.id, e.system_id, e.name, e.kind, e.description FROM entitlements e JOIN systems s ON s.id = e.system_id
     WHERE s.enabled AND s.requestable AND e.requestable AND e.present ORDER BY lower(e.name), e.id`,
  );
  return {
    items: systems.rows.map((s) => ({
      systemId: s.id,
      name: s.name,
      description: s.description,
      criticality: s.criticality,
      dataClassification: s.data_classification,
      approvalChain: s.approval_chain,
      entitlements: ents.rows
        .filter((e) => e.system_id === s.id)
        .map((e) => ({ id: e.id, name: e.name, kind: e.kind, description: e.description })),
    })),
  };
}

const policySchema = z.object({
  systemId: z.string(),
  requestable: z.boolean(),
  approvalChain: z.enum(APPROVAL_CHAINS),
  entitlements: z.array(z.object({ id: z.string(), name: z.string(), requestable: z.boolean() })),
});

const policyPatch = z
  .object({
    requestable: z.boolean().optional(),
    approvalChain: z.enum(APPROVAL_CHAINS).optional(),
    entitlements: z
      .array(z.object({ id: z.string().min(1).max(40), requestable: z.boolean() }).strict())
      .max(1000)
      .optional(),
  })
  .strict();

async function requestPolicy(q: Queryable, systemId: string): Promise<z.infer<typeof policySchema>> {
  const s = (
    await q.query<{ requestable: boolean; approval_chain: ApprovalChain }>(
      "SELECT requestable, approval_chain FROM systems WHERE id = $1",
      [systemId],
    )
  ).rows[0];
  if (!s) throw notFound("access.system_not_found", "No such system");
  const e = await q.query<{ id: string; name: string; requestable: boolean }>(
    "SELECT id, name, requestable FROM entitlements WHERE system_id = $1 ORDER BY lower(name), id",
    [systemId],
  );
  return { systemId, requestable: s.requestable, approvalChain: s.approval_chain, entitlements: e.rows };
}

async function setRequestPolicy(
  q: Queryable,
  ctx: AuditContext,
  systemId: string,
  p: z.infer<typeof policyPatch>,
): Promise<void> {
  const s = await q.query("SELECT 1 FROM systems WHERE id = $1 FOR UPDATE", [systemId]);
  if (!s.rowCount) throw notFound("access.system_not_found", "No such system");
  if (p.requestable !== undefined || p.approvalChain !== undefined)
    await q.query(
      `UPDATE systems SET requestable = COALESCE($2, requestable), approval_chain = COALESCE($3, approval_chain),
         version = version + 1, updated_at = now() WHERE id = $1`,
      [systemId, p.requestable ?? null, p.approvalChain ?? null],
    );
  for (const [i, e] of (p.entitlements ?? []).entries()) {
    const r = await q.query("UPDATE entitlements SET requestable = $3 WHERE id = $1 AND system_id = $2", [
      e.id,
      systemId,
      e.requestable,
    ]);
    if (!r.rowCount)
      throw unprocessable("access.unknown_entitlement", `No entitlement ${e.id} on this system`, [
        { path: `entitlements.${i}.id`, message: "is not an entitlement of this system" },
      ]);
  }
  await appendAudit(q, ctx, {
    action: "access.request_policy_updated",
    targetType: "system",
    targetId: systemId,
    details: { ...p },
  });
}

// --- routes ------------------------------------------------------------------------------------

const flag = z.enum(["1", "0", "true", "false"]).optional();
const on = (x: string | undefined) => x === "1" || x === "true";

/**
 * Access requests and their approvals, the requestable catalogue, separation-of-duties
 * rules, the expiry sweep, and closing requests when a person leaves.
 */
export function registerRequests(deps: AccessDeps, access: AccessService) {
  const { app, db, jobs, events, config } = deps;
  const planDeps: PlanDeps = {
    jobs,
    settings: access.settings,
    capabilities: (row) => access.pool.capabilities(row),
  };
  const kick = (systemIds: string[]) => {
    if (config.TANDEM_JOBS && systemIds.length) access.runners.kick(systemIds);
  };
  const tags = ["access: requests"];
  const who = (req: Parameters<typeof caller>[0]) => callerOf(db, caller(req));

  app.get(
    "/api/v1/access/catalogue",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "What can be requested: systems that take requests, with their requestable entitlements",
        response: { 200: catalogueSchema },
      },
    },
    async () => requestable(db),
  );

  app.post(
    "/api/v1/access/requests",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary:
          "Ask for an entitlement (or an account: entitlementId null) for yourself; a separation-of-duties conflict is refused (422)",
        body: requestInput,
        response: { 201: requestSchema },
      },
    },
    async (req, reply) => {
      const c = await who(req);
      let id: string;
      try {
        id = await db.tx((q) => createRequest(q, req.auditCtx, events, c, req.body));
      } catch (e) {
        if (e instanceof AppError && e.code === "access.sod_conflict")
          await auditRefusal(db, req.auditCtx, c, e, req.body);
        throw e;
      }
      return reply.status(201).send(await getRequest(db, c, id));
    },
  );

  app.get(
    "/api/v1/access/requests",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary:
          "Access requests, newest first: mine=1 your own, toApprove=1 those waiting for you; otherwise all you may see",
        querystring: z
          .object({
            mine: flag,
            toApprove: flag,
            state: z.enum(REQUEST_STATES).optional(),
            personId: z.string().max(40).optional(),
            cursor: z.string().max(500).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(requestSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) =>
      listRequests(db, await who(req), {
        ...req.query,
        mine: on(req.query.mine),
        toApprove: on(req.query.toApprove),
      }),
  );

  app.get(
    "/api/v1/access/requests/:id",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "One access request with its approval steps",
        params: idParams,
        response: { 200: requestSchema },
      },
    },
    async (req) => getRequest(db, await who(req), req.params.id),
  );

  const decide = async (
    c: Caller,
    ctx: AuditContext,
    id: string,
    action: "approve" | "reject",
    comment: string | null,
  ) => {
    const systemIds = await db.tx((q) =>
      decideRequest(q, ctx, { planDeps, events }, c, id, { action, comment }),
    );
    kick(systemIds);
    return getRequest(db, c, id);
  };

  app.post(
    "/api/v1/access/requests/:id/approve",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Approve the step waiting for you; the last approval grants the access and plans it",
        params: idParams,
        body: z.object({ comment: z.string().trim().max(2000).nullish() }).strict(),
        response: { 200: requestSchema },
      },
    },
    async (req) => decide(await who(req), req.auditCtx, req.params.id, "approve", req.body?.comment ?? null),
  );

  app.post(
    "/api/v1/access/requests/:id/reject",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Reject the step waiting for you, with a comment for the person who asked",
        params: idParams,
        body: z.object({ comment: z.string().trim().min(3).max(2000) }).strict(),
        response: { 200: requestSchema },
      },
    },
    async (req) => decide(await who(req), req.auditCtx, req.params.id, "reject", req.body.comment),
  );

  app.post(
    "/api/v1/access/requests/:id/cancel",
    {
      config: { access: "authenticated" },
      schema: {
        tags,
        summary: "Withdraw your own request while it waits for a decision",
        params: idParams,
        body: z.object({ reason: z.string().trim().max(2000).nullish() }).strict(),
        response: { 200: requestSchema },
      },
    },
    async (req) => {
      const c = await who(req);
      await db.tx((q) => cancelRequest(q, req.auditCtx, c, req.params.id, req.body?.reason ?? null));
      return getRequest(db, c, req.params.id);
    },
  );

  app.post(
    "/api/v1/access/requests/:id/end",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "End a granted request's access now (before its end date); the removal is planned at once",
        params: idParams,
        body: z.object({ reason: z.string().trim().min(3).max(2000) }).strict(),
        response: { 200: requestSchema },
      },
    },
    async (req) => {
      const ended = await db.tx(async (q) => {
        await getRequest(q, null, req.params.id);
        const out = await endRequestGrant(q, req.params.id, req.body.reason, req.auditCtx, planDeps);
        if (!out) throw conflict("access.request_not_granted", "The request holds no access to end");
        return out;
      });
      kick(ended.systemIds);
      return getRequest(db, null, req.params.id);
    },
  );

  app.get(
    "/api/v1/access/systems/:id/request-policy",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags,
        summary: "Whether a system and each of its entitlements can be requested, and who approves",
        params: idParams,
        response: { 200: policySchema },
      },
    },
    async (req) => requestPolicy(db, req.params.id),
  );

  app.patch(
    "/api/v1/access/systems/:id/request-policy",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags,
        summary: "Set whether a system (and which entitlements) can be requested, and its approval chain",
        params: idParams,
        body: policyPatch,
        response: { 200: policySchema },
      },
    },
    async (req) => {
      await db.tx((q) => setRequestPolicy(q, req.auditCtx, req.params.id, req.body));
      return requestPolicy(db, req.params.id);
    },
  );

  // --- separation of duties ---
  const sodTags = ["access: separation of duties"];
  app.get(
    "/api/v1/access/sod-rules",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags: sodTags,
        summary: "Separation-of-duties rules: pairs of entitlements nobody should hold together",
        response: { 200: z.object({ items: z.array(sodRuleSchema) }) },
      },
    },
    async () => ({ items: await listSodRules(db) }),
  );

  app.post(
    "/api/v1/access/sod-rules",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags: sodTags,
        summary: "Add a rule (block: refused; exception: allowed with a documented justification)",
        body: sodRuleInput,
        response: { 201: sodRuleSchema },
      },
    },
    async (req, reply) => {
      const id = await db.tx((q) => createSodRule(q, req.auditCtx, req.body));
      return reply.status(201).send(await getSodRule(db, id));
    },
  );

  app.get(
    "/api/v1/access/sod-rules/:id",
    {
      config: { access: ACCESS_READ },
      schema: {
        tags: sodTags,
        summary: "One separation-of-duties rule",
        params: idParams,
        response: { 200: sodRuleSchema },
      },
    },
    async (req) => getSodRule(db, req.params.id),
  );

  app.patch(
    "/api/v1/access/sod-rules/:id",
    {
      config: { access: ACCESS_ADMIN },
      schema: {
        tags: sodTags,
        summary: "Change a separation-of-duties rule",
        params: idParams,
        body: sodRulePatch,
        response: { 200: sodRuleSchema },
      },
    },
    async (req) => {
      await db.tx((q) => updateSodRule(q, req.auditCtx, req.params.id, req.body));
      return getSodRule(db, req.params.id);
    },
  );

  app.delete(
    "/api/v1/access/sod-rules/:id",
    {
      config: { access: ACCESS_ADMIN },
      schema: { tags: sodTags, summary: "Delete a separation-of-duties rule", params: idParams },
    },
    async (req, reply) => {
      await db.tx((q) => deleteSodRule(q, req.auditCtx, req.params.id));
      return reply.status(204).send();
    },
  );

  // --- background work ---
  jobs.define({
    name: REQUEST_SWEEP_JOB,
    retryLimit: 1,
    handler: async () => kick((await sweepRequests(db, planDeps)).systemIds),
  });
  jobs.schedule(REQUEST_SWEEP_JOB, "* * * * *");
  // A day's leavers arrive together: their open requests close in one transaction.
  const closeForLeavers = (batch: { payload: { personId: string } }[]) =>
    db.tx(async (q) => {
      for (const e of batch) await closeOnDeparture(q, { actorLabel: "hr event" }, e.payload.personId);
    });
  events.subscribe<{ personId: string }>(
    "person.terminated",
    "access.requests_leaver",
    (e) => closeForLeavers([e]),
    { batchSize: 100, many: closeForLeavers },
  );

  return { planDeps, sweep: () => sweepRequests(db, planDeps) };
}
