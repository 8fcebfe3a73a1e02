import { describe, expect, it } from "vitest";
import {
  ConnectorError,
  type ConnectorFactory,
  connectorType,
  connectorTypes,
  instantiate,
} from "./index.js";

describe("connector registry", () => {
  it("lists every connector type under its own type name, with a label, schema and secrets", () => {
    expect(Object.keys(connectorTypes).sort()).toEqual(["ldap", "manual", "scim-app", "webhook"]);
    for (const [key, factory] of Object.entries(connectorTypes)) {
      expect(factory.type).toBe(key);
      expect(factory.label.length).toBeGreaterThan(0);
      expect(typeof factory.configSchema.safeParse).toBe("function");
      expect(Array.isArray(factory.secretFields)).toBe(true);
    }
    expect(connectorTypes["scim-app"].secretFields).toEqual(["bearerToken"]);
    expect(connectorTypes.webhook.secretFields).toEqual(["signingSecret"]);
    expect(connectorTypes.manual.secretFields).toEqual([]);
    expect(connectorType("webhook")).toBe(connectorTypes.webhook);
    expect(connectorType("toString")).toBeUndefined();
    expect(connectorType("nope")).toBeUndefined();
  });

  it("refuses empty settings for each type, naming a field", () => {
    const factories: ConnectorFactory[] = Object.values(connectorTypes);
    for (const factory of factories) {
      let err: unknown;
      try {
        instantiate(factory, {}, {});
      } catch (e) {
        err = e;
      }
      expect(err, factory.type).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).kind).toBe("invalid_config");
      expect((err as ConnectorError).message).toMatch(
        new RegExp(`^${factory.label.replace(/[()/]/g, ".")}: \\w+`),
      );
    }
  });
});
