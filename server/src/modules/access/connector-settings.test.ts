import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../test/harness.js";
import { connectorSettings } from "./connector-settings.js";

let h: TestApp;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(async () => h?.close());

interface TypeView {
  type: string;
  secretFields: string[];
  settings: { key: string; kind: string; required: boolean; default?: unknown; options: string[] | null }[];
  configSchema: { type?: string; properties?: Record<string, unknown> };
}

describe("connector types", () => {
  it("describe each type's settings for a form: kind, required, default, allowed values", async () => {
    const sec = await h.signedIn(["security"]);
    const res = await sec.get("/api/v1/access/connector-types");
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json<{ items: TypeView[] }>().items;
    const ldap = items.find((t) => t.type === "ldap");
    expect(ldap?.secretFields).toEqual(["bindPassword"]);
    const byKey = new Map(ldap?.settings.map((s) => [s.key, s]));
    expect(byKey.get("url")).toMatchObject({ kind: "text", required: true, options: null });
    expect(byKey.get("startTls")).toMatchObject({ kind: "switch", required: false, default: false });
    expect(byKey.get("membershipAttribute")).toMatchObject({
      kind: "text",
      default: "member",
      options: ["member", "uniqueMember"],
    });
    expect(byKey.get("tls")?.kind).toBe("json");
    expect(ldap?.configSchema.type).toBe("object");
    const scim = items.find((t) => t.type === "scim-app");
    expect(scim?.settings.find((s) => s.key === "pageSize")).toMatchObject({ kind: "number", default: 100 });
    // Every type the server offers is described.
    for (const t of items) expect(t.settings.length, t.type).toBeGreaterThan(0);
  });

  it("are read with access:read only", async () => {
    expect((await h.client().get("/api/v1/access/connector-types")).statusCode).toBe(401);
    const employee = await h.signedIn(["employee"]);
    expect((await employee.get("/api/v1/access/connector-types")).statusCode).toBe(403);
  });

  it("describe nothing for an unknown type", () => {
    expect(connectorSettings("no-such-type")).toEqual({ settings: [], configSchema: {} });
  });
});
