import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "./discovery.js";

/**
 * `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5) on a resource: paths such as
 * `userName`, `name.givenName`, `emails`, `meta.lastModified`, the enterprise extension
 * (`urn:…:enterprise:2.0:User:department`) or the extension as a whole. `id` and `schemas`
 * are always returned.
 */

type Obj = Record<string, unknown>;
const ALWAYS = new Set(["id", "schemas"]);

/** A path as [top-level key (the extension URN for extension attributes), sub-path…], lower-cased. */
function split(path: string): string[] {
  const p = path.trim().toLowerCase();
  for (const urn of [ENTERPRISE_SCHEMA, USER_SCHEMA, GROUP_SCHEMA].map((u) => u.toLowerCase())) {
    if (p === urn) return [urn];
    if (p.startsWith(`${urn}:`)) {
      const rest = p.slice(urn.length + 1).split(".");
      return urn === ENTERPRISE_SCHEMA.toLowerCase() ? [urn, ...rest] : rest;
    }
  }
  return p.split(".");
}

const parsePaths = (list: string | undefined) =>
  (list ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(split);

function keep(o: Obj, paths: string[][]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    const key = k.toLowerCase();
    const matching = paths.filter((p) => p[0] === key);
    if (!matching.length) continue;
    if (matching.some((p) => p.length === 1)) out[k] = v;
    else if (typeof v === "object" && v !== null && !Array.isArray(v))
      out[k] = keep(
        v as Obj,
        matching.map((p) => p.slice(1)),
      );
    else if (Array.isArray(v))
      out[k] = v.map((x) =>
        typeof x === "object" && x !== null
          ? keep(
              x as Obj,
              matching.map((p) => p.slice(1)),
            )
          : x,
      );
  }
  return out;
}

function drop(o: Obj, paths: string[][]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    const key = k.toLowerCase();
    const matching = paths.filter((p) => p[0] === key);
    if (matching.some((p) => p.length === 1)) continue;
    if (matching.length && typeof v === "object" && v !== null && !Array.isArray(v))
      out[k] = drop(
        v as Obj,
        matching.map((p) => p.slice(1)),
      );
    else if (matching.length && Array.isArray(v))
      out[k] = v.map((x) =>
        typeof x === "object" && x !== null
          ? drop(
              x as Obj,
              matching.map((p) => p.slice(1)),
            )
          : x,
      );
    else out[k] = v;
  }
  return out;
}

export function project(
  resource: Obj,
  q: { attributes?: string | undefined; excludedAttributes?: string | undefined },
): Obj {
  const wanted = parsePaths(q.attributes);
  if (wanted.length) {
    const kept = keep(resource, wanted);
    for (const k of Object.keys(resource)) if (ALWAYS.has(k)) kept[k] = resource[k];
    return kept;
  }
  const excluded = parsePaths(q.excludedAttributes).filter(
    (p) => !(p.length === 1 && ALWAYS.has(p[0] as string)),
  );
  return excluded.length ? drop(resource, excluded) : resource;
}
