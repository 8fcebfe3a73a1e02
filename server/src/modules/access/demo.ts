/**
 * The access part of `tandem demo`: systems a new user can watch work with nothing else
 * installed — the demo SCIM application Tandem serves itself, and manual systems for
 * devices and badges — with profiles for the demo organisation, a separation-of-duties rule,
 * a pending access request, a running review campaign and a leaver carried out to the end,
 * certificate included. Everything goes through Tandem's own API (validation, audit), as
 * the first administrator and the demo employee, with short-lived tokens revoked at the end.
 * The demo application must be reachable: the caller has Tandem listening while this runs.
 */
import type { AuditContext } from "../../platform/audit/index.js";
import { createApiToken, revokeApiToken } from "../../platform/auth/index.js";
import { permissionsOf } from "../../platform/authz/index.js";
import type { Db } from "../../platform/db/index.js";
import type { TypedApp } from "../../platform/http/index.js";
import type { DemoIds } from "../people/index.js";
import { createDemoAppToken, DEMO_APP_PATH, ensureDemoAppGroup } from "./demo-app.js";
import type { AccessService } from "./service.js";

export interface AccessDemoDeps {
  app: TypedApp;
  db: Db;
  access: AccessService;
  publicUrl: string;
}

export interface AccessDemoResult {
  alreadySeeded: boolean;
  systems: string[];
  profiles: number;
  leaver?: { name: string; employeeNumber: string; certificateId: string | null };
}

const DEMO_SYSTEM = "Workplace suite (demo app)";
const GROUPS = ["app-users", "finance-approvers", "payments-admins", "engineering"];

type Caller = (method: "GET" | "POST" | "PATCH", url: string, body?: unknown) => Promise<unknown>;

function caller(app: TypedApp, secret: string): Caller {
  return async (method, url, body) => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${secret}`, "user-agent": "tandem-demo" },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    if (res.statusCode >= 300)
      throw new Error(`demo: ${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return res.body ? JSON.parse(res.body) : null;
  };
}

export async function seedAccessDemo(
  deps: AccessDemoDeps,
  ids: DemoIds,
  opts: { ctx: AuditContext; adminUserId: string; onProgress?: (msg: string) => void },
): Promise<AccessDemoResult> {
  const { app, db, access, publicUrl } = deps;
  const say = opts.onProgress ?? (() => {});
  const existing = await db.query("SELECT 1 FROM systems WHERE name = $1", [DEMO_SYSTEM]);
  if (existing.rowCount) return { alreadySeeded: true, systems: [], profiles: 0 };

  const tokens: { userId: string; id: string }[] = [];
  const tokenFor = async (userId: string, roles: string[]) => {
    const t = await createApiToken(db, {
      userId,
      name: "tandem demo (revoked when the demo is seeded)",
      scopes: [...permissionsOf(roles)],
      expiresInDays: 1,
    });
    tokens.push({ userId, id: t.token.id });
    return caller(app, t.secret);
  };
  try {
    const admin = await tokenFor(opts.adminUserId, ["admin"]);
    const employee = await tokenFor(ids.accounts.employee.userId, ["employee"]);

    say("Adding the demo SCIM application and manual systems …");
    const appToken = await db.tx(async (q) => {
      for (const g of GROUPS) await ensureDemoAppGroup(q, g);
      return createDemoAppToken(q);
    });
    const it = ids.accounts.it.personId;
    const scim = (await admin("POST", "/api/v1/access/systems", {
      name: DEMO_SYSTEM,
      description: "A small SaaS application served by Tandem itself (SCIM 2.0), for trying Tandem out.",
      ownerPersonId: it,
      criticality: "high",
      dataClassification: "confidential",
      connectorType: "scim-app",
      usernameRule: "email",
      config: { baseUrl: `${publicUrl}${DEMO_APP_PATH}`, matchAttribute: "employeeNumber" },
      secrets: { bearerToken: appToken },
    })) as { id: string };
    await admin("POST", `/api/v1/access/systems/${scim.id}/sync`);
    const devices = (await admin("POST", "/api/v1/access/systems", {
      name: "Laptops and phones",
      description: "Company devices; IT collects and wipes them when someone leaves.",
      ownerPersonId: it,
      criticality: "medium",
      dataClassification: "confidential",
      connectorType: "manual",
      config: {
        systemName: "Laptops and phones",
        owner: "IT service desk",
        entitlements: [{ id: "laptop", name: "Company laptop", kind: "licence" }],
      },
    })) as { id: string };
    const badges = (await admin("POST", "/api/v1/access/systems", {
      name: "Office badges",
      description: "Door badges for the offices; Facilities issues and disables them.",
      criticality: "medium",
      dataClassification: "internal",
      connectorType: "manual",
      config: {
        systemName: "Office badges",
        owner: "Facilities desk",
        entitlements: [{ id: "badge-office", name: "Office door badge", kind: "role" }],
      },
    })) as { id: string };

    const ents = async (systemId: string) =>
      (
        (await admin("GET", `/api/v1/access/systems/${systemId}/entitlements`)) as {
          items: { id: string; name: string; externalId?: string }[];
        }
      ).items;
    const scimEnts = await ents(scim.id);
    const ent = (name: string) => {
      const e = scimEnts.find((x) => x.name === name);
      if (!e) throw new Error(`demo: the demo application has no group ${name}`);
      return e.id;
    };
    const deviceEnts = await ents(devices.id);
    const badgeEnts = await ents(badges.id);

    say("Adding access profiles and a separation-of-duties rule …");
    await admin("POST", "/api/v1/access/profiles", {
      name: "Everyone",
      description: "Birthright access of every employee: the workplace suite, a laptop and a badge.",
      entitlements: [
        { systemId: scim.id, entitlementId: null },
        { systemId: scim.id, entitlementId: ent("app-users") },
        ...deviceEnts.map((e) => ({ systemId: devices.id, entitlementId: e.id })),
        ...badgeEnts.map((e) => ({ systemId: badges.id, entitlementId: e.id })),
      ],
    });
    await admin("POST", "/api/v1/access/profiles", {
      name: "Finance approvers",
      departmentId: ids.departments.finance,
      entitlements: [{ systemId: scim.id, entitlementId: ent("finance-approvers") }],
    });
    await admin("POST", "/api/v1/access/profiles", {
      name: "Engineering",
      departmentId: ids.departments.engineering,
      entitlements: [{ systemId: scim.id, entitlementId: ent("engineering") }],
    });
    await admin("POST", "/api/v1/access/sod-rules", {
      name: "Approve and pay",
      description: "Whoever approves supplier invoices must not also release payments.",
      mode: "exception",
      leftEntitlementId: ent("finance-approvers"),
      rightEntitlementId: ent("payments-admins"),
    });

    say("Provisioning the demo employee and filing an access request …");
    const employeeId = ids.accounts.employee.personId;
    await access.plan(opts.ctx, {
      personId: employeeId,
      reason: "joiner",
      createdBy: "demo",
      sourceKey: "demo:joiner:employee",
    });
    await access.drain();
    await employee("POST", "/api/v1/access/requests", {
      systemId: scim.id,
      entitlementId: ent("payments-admins"),
      reason: "Covering payment runs while the payments team is on leave",
      endsAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      sodJustification: "Only for the two weeks of cover; the finance lead reviews every payment run.",
    });

    say("Carrying out one leaver from start to certificate …");
    const demoPeople = new Set(Object.values(ids.accounts).map((a) => a.personId));
    const leaver = ids.people.find(
      (p) => p.lifecycle === "active" && p.position === "member" && !demoPeople.has(p.id),
    );
    let certificateId: string | null = null;
    if (leaver) {
      await access.plan(opts.ctx, {
        personId: leaver.id,
        reason: "joiner",
        createdBy: "demo",
        sourceKey: "demo:joiner:leaver",
      });
      await access.drain();
      await admin("POST", `/api/v1/people/${leaver.id}/events`, {
        type: "termination",
        terminationType: "voluntary",
        reason: "Moved abroad",
      });
      const ev = await db.query<{ id: string; effective_at: Date }>(
        "SELECT id, effective_at FROM person_events WHERE person_id = $1 AND type = 'termination' ORDER BY created_at DESC LIMIT 1",
        [leaver.id],
      );
      // The same cause the HR event's subscriber uses, so the server does not plan it again.
      await access.plan(opts.ctx, {
        personId: leaver.id,
        reason: "leaver",
        createdBy: "hr event",
        sourceKey: `person.terminated:${ev.rows[0]?.id}`,
        sourceEventId: ev.rows[0]?.id ?? null,
        hrEventAt: ev.rows[0]?.effective_at ?? new Date(),
        leaverTasks: true,
        immediate: true,
      });
      await access.drain();
      // IT and Facilities report back: every task of the leaver is attested.
      const open = await db.query<{ id: string }>(
        "SELECT id FROM access_tasks WHERE person_id = $1 AND state = 'open'",
        [leaver.id],
      );
      for (const t of open.rows) await access.closeTask(opts.ctx, t.id, "done", "Done (demo)");
      await access.drain();
      const cert = await db.query<{ id: string }>(
        "SELECT id FROM access_certificates WHERE person_id = $1 ORDER BY issued_at DESC LIMIT 1",
        [leaver.id],
      );
      certificateId = cert.rows[0]?.id ?? null;
    }

    say("Starting an access review campaign …");
    const campaign = (await admin("POST", "/api/v1/access/reviews", {
      name: "Quarterly manager review",
      description: "Managers confirm what their people can reach.",
      scope: "manager",
      systemIds: [scim.id],
      dueAt: new Date(Date.now() + 21 * 86_400_000).toISOString(),
    })) as { id: string };
    await admin("POST", `/api/v1/access/reviews/${campaign.id}/start`);

    return {
      alreadySeeded: false,
      systems: [DEMO_SYSTEM, "Laptops and phones", "Office badges"],
      profiles: 3,
      ...(leaver
        ? { leaver: { name: leaver.name, employeeNumber: leaver.employeeNumber, certificateId } }
        : {}),
    };
  } finally {
    for (const t of tokens) await revokeApiToken(db, t.userId, t.id);
  }
}
