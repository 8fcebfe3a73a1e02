/**
 * Factories for access-engine tests: LDAP systems on a test slapd, people through the HR
 * API, and polling with a deadline for work the job queue carries out.
 */
import type { Client } from "ldapts";
import { expect } from "vitest";
import type { TestApp, TestClient } from "./harness.js";
import type { TestSlapd } from "./slapd.js";

export type Api = TestClient;

export function ldapSystemInput(slapd: TestSlapd, over: Record<string, unknown> = {}) {
  return {
    name: `Directory ${Math.random().toString(36).slice(2, 8)}`,
    connectorType: "ldap",
    criticality: "high",
    dataClassification: "confidential",
    config: {
      url: slapd.url,
      bindDn: slapd.bindDn,
      baseDn: slapd.baseDn,
      usersOu: slapd.peopleOu,
      groupsOu: slapd.groupsOu,
      disabledOu: slapd.disabledOu,
    },
    secrets: { bindPassword: slapd.bindPassword },
    ...over,
  };
}

export interface SystemView {
  id: string;
  name: string;
  secretsSet: Record<string, boolean>;
  accounts: number;
}

export async function buildSystem(api: Api, slapd: TestSlapd, over: Record<string, unknown> = {}) {
  const res = await api.post("/api/v1/access/systems", ldapSystemInput(slapd, over));
  expect(res.statusCode, res.body).toBe(201);
  return res.json<SystemView>();
}

export async function syncSystem(api: Api, systemId: string) {
  const res = await api.post(`/api/v1/access/systems/${systemId}/sync`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ accounts: number; entitlements: number; linked: number }>();
}

/** The catalogued entitlement id of a group (by cn) on a system. */
export async function entitlementId(api: Api, systemId: string, cn: string): Promise<string> {
  const res = await api.get(`/api/v1/access/systems/${systemId}/entitlements`);
  const found = res.json<{ items: { id: string; name: string }[] }>().items.find((e) => e.name === cn);
  if (!found) throw new Error(`no entitlement ${cn} on ${systemId}: ${res.body}`);
  return found.id;
}

export async function buildRole(hr: Api, title: string): Promise<string> {
  const res = await hr.post("/api/v1/job-roles", { title });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

export async function buildProfile(
  api: Api,
  body: {
    name: string;
    jobRoleId?: string;
    entitlements: { systemId: string; entitlementId?: string | null }[];
  },
) {
  const res = await api.post("/api/v1/access/profiles", body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

let people = 0;

export interface PersonView {
  id: string;
  employeeNumber: string;
  workEmail: string;
  status: string;
}

export async function buildPerson(hr: Api, over: Record<string, unknown> = {}): Promise<PersonView> {
  people++;
  const tag = `${process.pid}${people}${Math.random().toString(36).slice(2, 6)}`;
  const res = await hr.post("/api/v1/people", {
    employeeNumber: `A${tag}`,
    legalName: `Ada Tester${people}`,
    workEmail: `ada.${tag}@corp.test`,
    status: "active",
    ...over,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<PersonView>();
}

export async function terminate(hr: Api, personId: string, extra: Record<string, unknown> = {}) {
  const res = await hr.post(`/api/v1/people/${personId}/events`, {
    type: "termination",
    terminationType: "involuntary",
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string; effectiveAt: string }>();
}

/** Polls `fn` until it returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Offboarding {
  plan: { id: string; state: string; heldReason: string | null; immediate: boolean };
  hrEventAt: string | null;
  completedAt: string | null;
  accessRevokedAt: string | null;
  revocationSeconds: number | null;
  elapsedSeconds: number | null;
  systems: {
    systemId: string | null;
    systemName: string;
    state: string;
    steps: {
      id: string;
      action: string;
      state: string;
      error: string | null;
      attempts: number;
      verifiedAt: string | null;
    }[];
  }[];
}

export async function offboardingOf(api: Api, personId: string): Promise<Offboarding | undefined> {
  const res = await api.get(`/api/v1/access/people/${personId}/offboarding`);
  if (res.statusCode === 404) return undefined;
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Offboarding>();
}

/** The person's LDAP entry as the directory reports it (by the mail attribute). */
export async function ldapEntry(admin: Client, slapd: TestSlapd, email: string) {
  const { searchEntries } = await admin.search(slapd.baseDn, {
    scope: "sub",
    filter: `(mail=${email})`,
    attributes: ["uid", "mail", "pwdAccountLockedTime", "employeeNumber"],
  });
  return searchEntries[0];
}

/** DNs of the seeded groups listing `dn` as a member. */
export async function groupsOf(admin: Client, slapd: TestSlapd, dn: string): Promise<string[]> {
  const { searchEntries } = await admin.search(slapd.groupsOu, {
    scope: "sub",
    filter: `(member=${dn})`,
    attributes: ["cn"],
  });
  return searchEntries.map((e) => String(e.cn));
}

export async function countRows(h: TestApp, table: string): Promise<number> {
  const r = await h.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return r.rows[0]?.n ?? 0;
}
