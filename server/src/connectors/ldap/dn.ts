/**
 * Distinguished names (RFC 4514): escaping values we put into a DN, splitting DNs the
 * server returns, and comparing them the way a directory does (case-insensitively, with
 * escapes resolved).
 */

const MUST_ESCAPE = new Set(['"', "+", ",", ";", "<", ">", "="]);

/**
 * One attribute value made safe for a DN. A backslash is written as `\5c` (not `\\`) so
 * no escaped character can ever sit just before a separating comma.
 */
export function escapeDnValue(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\") out += "\\5c";
    else if (c === "\0") out += "\\00";
    else if (MUST_ESCAPE.has(c)) out += `\\${c}`;
    else if (i === 0 && (c === " " || c === "#")) out += `\\${c}`;
    else if (i === value.length - 1 && c === " ") out += "\\ ";
    else out += c;
  }
  return out;
}

export interface Ava {
  type: string;
  value: string;
}

/** Splits `s` on `sep` where it is not escaped or quoted. */
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\" && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (c === sep && !quoted) {
      parts.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  return parts;
}

/** The value of an attribute-value assertion with its escapes (and quotes) resolved. */
function unescapeValue(raw: string): string {
  let v = raw.trimStart();
  // Trailing blanks are insignificant unless escaped (an odd run of backslashes before them).
  while (v.endsWith(" ")) {
    const run = /\\*$/.exec(v.slice(0, -1))?.[0].length ?? 0;
    if (run % 2 === 1) break;
    v = v.slice(0, -1);
  }
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === "\\" && i + 1 < v.length) {
      const hex = v.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 2;
        continue;
      }
      for (const b of Buffer.from(v[i + 1]!, "utf8")) bytes.push(b);
      i++;
      continue;
    }
    for (const b of Buffer.from(c, "utf8")) bytes.push(b);
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The RDNs of `dn`, leftmost first, each a list of type/value pairs. Throws on a malformed DN. */
export function parseDn(dn: string): Ava[][] {
  if (!dn.trim()) return [];
  return splitUnescaped(dn, ",").map((rdn) => {
    const avas = splitUnescaped(rdn, "+").map((ava) => {
      const eq = ava.indexOf("=");
      const type = eq > 0 ? ava.slice(0, eq).trim() : "";
      if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/.test(type)) throw new Error(`not a DN: ${dn}`);
      return { type, value: unescapeValue(ava.slice(eq + 1)) };
    });
    return avas;
  });
}

const rdnString = (avas: Ava[]) => avas.map((a) => `${a.type}=${escapeDnValue(a.value)}`).join("+");

/** Rebuilds a DN with our own escaping (safe to hand to a library that splits on commas). */
export function formatDn(rdns: Ava[][]): string {
  return rdns.map(rdnString).join(",");
}

/** A comparable form: types and values lower-cased, escapes resolved, multi-valued RDNs sorted. */
export function normalizeDn(dn: string): string {
  return parseDn(dn)
    .map((avas) =>
      avas
        .map((a) => `${a.type.toLowerCase()}=${escapeDnValue(a.value.toLowerCase())}`)
        .sort()
        .join("+"),
    )
    .join(",");
}

export const sameDn = (a: string, b: string) => normalizeDn(a) === normalizeDn(b);

/** True when `dn` is `ancestor` or lies anywhere below it. */
export function isWithin(dn: string, ancestor: string): boolean {
  const d = normalizeDn(dn);
  const a = normalizeDn(ancestor);
  return d === a || d.endsWith(`,${a}`);
}

/** `rdnAttr=value,parent` with the value escaped. */
export function childDn(rdnAttr: string, value: string, parent: string): string {
  return `${rdnAttr}=${escapeDnValue(value)},${formatDn(parseDn(parent))}`;
}

/** The leftmost RDN of `dn`, re-escaped. */
export function leafRdn(dn: string): string {
  const [first] = parseDn(dn);
  if (!first) throw new Error("empty DN");
  return rdnString(first);
}

/** True when `s` parses as a DN with at least one RDN. */
export function isDn(s: string): boolean {
  try {
    return parseDn(s).length > 0;
  } catch {
    return false;
  }
}
