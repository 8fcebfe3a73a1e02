import { Attribute, Change, type Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildPerson,
  buildProfile,
  buildRole,
  buildSystem,
  entitlementId,
  eventually,
  groupsOf,
  ldapEntry,
  syncSystem,
} from "../../test/access.js";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { startSlapd, type TestSlapd } from "../../test/slapd.js";

/**
 * My access: a signed-in person sees each account and entitlement they hold on a real
 * directory, and why: the profiles that give it, an approved exception, or nothing.
 */

let h: TestApp;
let slapd: TestSlapd;
let admin: Client;
type Signed = Awaited<ReturnType<TestApp["signedIn"]>>;
let sec: Signed;
let hr: Signed;
let systemId: string;
let engineers: string;

beforeAll(async () => {
  slapd = await startSlapd({ groups: ["engineering", "finance", "vpn", "wiki"] });
  admin = await slapd.admin();
  h = await startTestApp({}, { jobs: true });
  sec = await h.signedIn(["security"]);
  hr = await h.signedIn(["hr"]);
  systemId = (await buildSystem(sec, slapd, { name: "Directory", breakerThreshold: 1 })).id;
  await syncSystem(sec, systemId);
  engineers = await buildRole(hr, "Engineer");
  const vpn = await entitlementId(sec, systemId, "vpn");
  await buildProfile(sec, {
    name: "Engineers",
    jobRoleId: engineers,
    entitlements: [
      { systemId, entitlementId: await entitlementId(sec, systemId, "engineering") },
      { systemId, entitlementId: vpn },
    ],
  });
  // Everyone's birthright: the directory account with VPN.
  await buildProfile(sec, { name: "Remote work", entitlements: [{ systemId, entitlementId: vpn }] });
}, 180_000);
afterAll(async () => {
  await admin?.unbind();
  await h?.close();
  await slapd?.stop();
});

type Reason =
  | { kind: "profile"; profileId: string; profileName: string }
  | { kind: "exception"; exceptionId: string; justification: string; expiresAt: string }
  | { kind: "unexplained"; text: string };
interface MyAccess {
  linked: boolean;
  personId: string | null;
  summary: string | null;
  items: {
    systemName: string;
    username: string;
    state: string;
    explained: boolean;
    reasons: Reason[];
    entitlements: { ref: string; name: string | null; explained: boolean; reasons: Reason[] }[];
  }[];
}

const names = (reasons: Reason[]) =>
  reasons.map((r) => (r.kind === "profile" ? r.profileName : r.kind)).sort();

describe("my access", () => {
  it("shows each account and entitlement I hold with the profiles, exception or nothing that explains it", async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const email = `grace.${tag}@corp.test`;
    // The Tandem user exists first; hiring the person links it (by work email).
    const me = await h.signedIn(["employee"], email);
    const p = await buildPerson(hr, { workEmail: email, jobRoleId: engineers });
    const dn = await eventually("the directory account with its groups", async () => {
      const e = await ldapEntry(admin, slapd, email);
      return e && (await groupsOf(admin, slapd, e.dn)).length === 2 ? e.dn : undefined;
    });

    // Finance by an approved exception, carried out by a plan.
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const ex = await sec.post("/api/v1/access/exceptions", {
      personId: p.id,
      systemId,
      entitlementId: await entitlementId(sec, systemId, "finance"),
      justification: "quarter-end close support",
      expiresAt,
    });
    expect(ex.statusCode, ex.body).toBe(201);
    expect((await sec.post(`/api/v1/access/people/${p.id}/apply`, {})).statusCode).toBe(202);
    await eventually("finance granted", async () =>
      (await groupsOf(admin, slapd, dn)).includes("finance") ? true : undefined,
    );
    // The wiki by hand in the directory: nothing explains it.
    await admin.modify(slapd.groups.wiki as string, [
      new Change({ operation: "add", modification: new Attribute({ type: "member", values: [dn] }) }),
    ]);
    await syncSystem(sec, systemId);

    const res = await me.get("/api/v1/me/access");
    expect(res.statusCode, res.body).toBe(200);
    const mine = res.json<MyAccess>();
    expect(mine).toMatchObject({ linked: true, personId: p.id });
    expect(mine.items).toHaveLength(1);
    const account = mine.items[0] as MyAccess["items"][number];
    expect(account).toMatchObject({ systemName: "Directory", state: "enabled", explained: true });
    expect(names(account.reasons)).toEqual(["Engineers", "Remote work", "exception"]);
    const byName = new Map(account.entitlements.map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).toEqual(["engineering", "finance", "vpn", "wiki"]);
    expect(names(byName.get("engineering")?.reasons ?? [])).toEqual(["Engineers"]);
    expect(names(byName.get("vpn")?.reasons ?? [])).toEqual(["Engineers", "Remote work"]);
    expect(byName.get("finance")).toMatchObject({
      explained: true,
      reasons: [
        {
          kind: "exception",
          exceptionId: ex.json<{ id: string }>().id,
          justification: "quarter-end close support",
          expiresAt,
        },
      ],
    });
    expect(byName.get("wiki")).toMatchObject({
      explained: false,
      reasons: [
        { kind: "unexplained", text: expect.stringMatching(/not explained by any profile.*reconciliation/i) },
      ],
    });

    // Only my own: another person's access never shows, and the HR view is not needed.
    const other = await buildPerson(hr, { jobRoleId: engineers });
    expect(other.id).not.toBe(p.id);
    const again = (await me.get("/api/v1/me/access")).json<MyAccess>();
    expect(again.items.map((i) => i.username)).toEqual([account.username]);
  }, 180_000);

  it("a user with no HR record gets an empty list saying so; anonymous callers 401", async () => {
    const admin = await h.signedIn(["admin"]);
    const res = await admin.get("/api/v1/me/access");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ linked: false, personId: null, summary: null, items: [] });
    expect((await h.client().get("/api/v1/me/access")).statusCode).toBe(401);
  });
});
