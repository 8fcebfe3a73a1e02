import { type Filter, parse } from "scim2-parse-filter";
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "./discovery.js";
import { invalidFilter } from "./errors.js";

/**
 * SCIM filters (RFC 7644 §3.4.2.2) compiled to a parameterised SQL condition, so lists
 * are filtered and paged by the database, not in memory. Each resource type names the
 * attribute paths it supports; anything else is an invalidFilter naming the attribute.
 */

export interface AttributeDef {
  sql: string;
  type: "string" | "boolean" | "dateTime";
  /** Case-sensitive comparison (ids); everything else compares case-insensitively. */
  caseExact?: boolean;
  /**
   * For multi-valued attributes stored in another table: `FROM … WHERE <join>`, and the
   * comparison runs inside EXISTS (SELECT 1 <multi> AND <comparison>).
   */
  multi?: string;
}

export type AttributeMap = Record<string, AttributeDef>;

/** Lower-cases a path and drops the core schema URN; the enterprise URN becomes `enterprise:`. */
export function normalisePath(path: string, coreSchema: string): string {
  const lower = path.trim().toLowerCase();
  const core = `${coreSchema.toLowerCase()}:`;
  const ext = `${ENTERPRISE_SCHEMA.toLowerCase()}:`;
  if (lower.startsWith(core)) return lower.slice(core.length);
  if (lower.startsWith(ext)) return `enterprise:${lower.slice(ext.length)}`;
  return lower;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

class Compiler {
  params: unknown[] = [];

  constructor(
    private readonly attributes: AttributeMap,
    private readonly coreSchema: string,
    private readonly paramOffset: number,
  ) {}

  private param(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length + this.paramOffset}`;
  }

  private lookup(path: string, prefix: string): { def: AttributeDef; name: string } {
    const name = prefix + normalisePath(path, this.coreSchema);
    const def = this.attributes[name];
    if (!def) throw invalidFilter(`Filtering on ${prefix}${path} is not supported`);
    return { def, name };
  }

  compile(f: Filter, prefix = "", insideMulti = false): string {
    switch (f.op) {
      case "and":
      case "or":
        return `(${f.filters.map((x) => this.compile(x, prefix, insideMulti)).join(` ${f.op.toUpperCase()} `)})`;
      case "not":
        return `(NOT COALESCE(${this.compile(f.filter, prefix, insideMulti)}, false))`;
      case "[]": {
        const outer = `${prefix}${normalisePath(f.attrPath, this.coreSchema)}.`;
        const multi = Object.entries(this.attributes).find(([k, d]) => k.startsWith(outer) && d.multi)?.[1]
          ?.multi;
        if (!Object.keys(this.attributes).some((k) => k.startsWith(outer)))
          throw invalidFilter(`Filtering on ${f.attrPath} is not supported`);
        const inner = this.compile(f.valFilter, outer, !!multi || insideMulti);
        return multi && !insideMulti ? `EXISTS (SELECT 1 ${multi} AND ${inner})` : inner;
      }
      default: {
        const { def } = this.lookup(f.attrPath, prefix);
        const cond = this.comparison(f, def);
        return def.multi && !insideMulti ? `EXISTS (SELECT 1 ${def.multi} AND ${cond})` : cond;
      }
    }
  }

  private comparison(f: Exclude<Filter, { op: "and" | "or" | "not" | "[]" }>, def: AttributeDef): string {
    const a = def.sql;
    if (f.op === "pr")
      return def.type === "string" ? `(${a} IS NOT NULL AND ${a} <> '')` : `(${a} IS NOT NULL)`;
    const v = f.compValue;
    const name = f.attrPath;
    if (v === null) {
      if (f.op === "eq") return `(${a} IS NULL)`;
      if (f.op === "ne") return `(${a} IS NOT NULL)`;
      throw invalidFilter(`${f.op} null is not a valid comparison for ${name}`);
    }
    if (def.type === "boolean") {
      if (typeof v !== "boolean") throw invalidFilter(`${name} compares with true or false`);
      if (f.op === "eq") return `(${a} = ${this.param(v)})`;
      if (f.op === "ne") return `(${a} IS DISTINCT FROM ${this.param(v)})`;
      throw invalidFilter(`${f.op} is not supported on the boolean ${name}`);
    }
    if (def.type === "dateTime") {
      if (typeof v !== "string" || Number.isNaN(Date.parse(v)))
        throw invalidFilter(`${name} compares with a date-time such as "2024-01-31T12:00:00Z"`);
      const p = `${this.param(new Date(v).toISOString())}::timestamptz`;
      const ops: Record<string, string> = { eq: "=", gt: ">", ge: ">=", lt: "<", le: "<=" };
      if (f.op === "ne") return `(${a} IS DISTINCT FROM ${p})`;
      const op = ops[f.op];
      if (!op) throw invalidFilter(`${f.op} is not supported on the date-time ${name}`);
      return `(${a} ${op} ${p})`;
    }
    const text = String(v);
    const lhs = def.caseExact ? a : `lower(${a})`;
    const rhs = (s: string) => (def.caseExact ? this.param(s) : `lower(${this.param(s)})`);
    switch (f.op) {
      case "eq":
        return `(${lhs} = ${rhs(text)})`;
      case "ne":
        return `(${lhs} IS DISTINCT FROM ${rhs(text)})`;
      case "co":
        return `(${lhs} LIKE ${rhs(`%${escapeLike(text)}%`)})`;
      case "sw":
        return `(${lhs} LIKE ${rhs(`${escapeLike(text)}%`)})`;
      case "ew":
        return `(${lhs} LIKE ${rhs(`%${escapeLike(text)}`)})`;
      case "gt":
        return `(${lhs} > ${rhs(text)})`;
      case "ge":
        return `(${lhs} >= ${rhs(text)})`;
      case "lt":
        return `(${lhs} < ${rhs(text)})`;
      case "le":
        return `(${lhs} <= ${rhs(text)})`;
    }
    throw invalidFilter(`Unknown operator ${(f as { op: string }).op}`);
  }
}

export interface CompiledFilter {
  where: string;
  params: unknown[];
}

/** Parses and compiles a filter; a filter that does not parse is an invalidFilter. */
export function compileFilter(
  filter: string | undefined,
  attributes: AttributeMap,
  kind: "User" | "Group",
  paramOffset = 0,
): CompiledFilter {
  if (!filter?.trim()) return { where: "true", params: [] };
  let ast: Filter;
  try {
    ast = parse(filter);
  } catch (e) {
    throw invalidFilter(`The filter does not parse: ${(e as Error).message}`);
  }
  const c = new Compiler(attributes, kind === "User" ? USER_SCHEMA : GROUP_SCHEMA, paramOffset);
  return { where: c.compile(ast), params: c.params };
}
