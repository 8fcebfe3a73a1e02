/**
 * A connector type's settings, described for forms: each top-level setting of its zod config
 * schema with a kind the web form can render, whether it must be given, its default and the
 * values it may take. The full JSON Schema goes along for anything nested.
 */
import { z } from "zod";
import { connectorFactory } from "./connectors.js";

export const connectorSettingSchema = z.object({
  key: z.string(),
  kind: z.enum(["text", "number", "switch", "json"]),
  /** Must be given (no default). */
  required: z.boolean(),
  default: z.unknown().optional(),
  /** The values a text setting may take, when the schema lists them. */
  options: z.array(z.string()).nullable(),
  description: z.string().nullable(),
});
export type ConnectorSetting = z.infer<typeof connectorSettingSchema>;

interface JsonProperty {
  type?: string | string[];
  default?: unknown;
  enum?: unknown[];
  description?: string;
}

function kindOf(p: JsonProperty): ConnectorSetting["kind"] {
  const type = Array.isArray(p.type) ? p.type.find((t) => t !== "null") : p.type;
  if (type === "boolean") return "switch";
  if (type === "number" || type === "integer") return "number";
  if (type === "string") return "text";
  return "json";
}

/** The settings of a connector type and its config schema as JSON Schema (input side). */
export function connectorSettings(type: string): {
  settings: ConnectorSetting[];
  configSchema: Record<string, unknown>;
} {
  const factory = connectorFactory(type);
  if (!factory) return { settings: [], configSchema: {} };
  const json = z.toJSONSchema(factory.configSchema as z.ZodType, {
    io: "input",
    unrepresentable: "any",
  }) as { properties?: Record<string, JsonProperty>; required?: string[] };
  const required = new Set(json.required ?? []);
  const settings = Object.entries(json.properties ?? {}).map(([key, p]) => ({
    key,
    kind: kindOf(p),
    required: required.has(key),
    ...(p.default === undefined ? {} : { default: p.default }),
    options: Array.isArray(p.enum) ? p.enum.map(String) : null,
    description: p.description ?? null,
  }));
  return { settings, configSchema: json as Record<string, unknown> };
}
