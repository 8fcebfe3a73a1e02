/**
 * Telling people from machines. Mail scanners, link checkers and preview bots fetch every
 * link in a message, often within seconds of delivery; a person opens the page in a browser,
 * which runs the landing page's script. Each tracked request is classified by its shape only
 * (method, headers, the user agent's family, timing, whether the source is a scanner range);
 * the source address and the full user agent are never kept.
 */
import { BlockList, isIP } from "node:net";

export const FILTER_REASONS = [
  "scanner_range",
  "too_fast",
  "bot_agent",
  "prefetch",
  "head_request",
  "not_confirmed",
  "expired",
  "duplicate",
  "not_recipient",
] as const;
export type FilterReason = (typeof FILTER_REASONS)[number];

/** What is kept about a request: its shape, never who made it. */
export interface Shape {
  method: string;
  /** It carried the headers a browser sends when a person navigates (Accept-Language, Sec-Fetch-*). */
  browserHeaders: boolean;
  /** chrome, edge, firefox, safari, office, bot, tool, other or none. */
  agent: string;
  secondsSinceSent: number | null;
  scannerRange: boolean;
  /** The landing page's script: how it confirmed (after an interaction, or after the page was visible). */
  via?: string;
}

export interface RequestFacts {
  method: string;
  ip: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface FilterSettings {
  ranges: BlockList;
  minSeconds: number;
}

/** The configured scanner ranges (validated at start-up) as a block list. */
export function scannerRanges(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr = "", bits] = c.split("/");
    const family = isIP(addr) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return list;
}

/** Whether an address (IPv4, IPv6 or IPv4-mapped IPv6) is in the ranges. */
export function inRanges(ranges: BlockList, ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const addr = mapped ?? ip;
  const family = isIP(addr);
  if (!family) return false;
  return ranges.check(addr, family === 6 ? "ipv6" : "ipv4");
}

const header = (h: RequestFacts["headers"], name: string): string => {
  const v = h[name];
  return (Array.isArray(v) ? v.join(",") : (v ?? "")).trim();
};

// Crawlers, preview fetchers, security scanners and HTTP libraries. Office's "existence
// discovery" checks a link before Word or Outlook opens it.
const BOTS =
  /bot\b|bot\/|crawl|spider|slurp|preview|scanner|scan\/|headless|phantomjs|selenium|puppeteer|playwright|lighthouse|facebookexternalhit|embedly|slack|discord|whatsapp|telegram|skypeuripreview|linkedinbot|pinterest|vkshare|w3c_validator|existence discovery|proofpoint|mimecast|barracuda|safelinks|urldefense|virustotal|urlscan|zgrab|masscan|nmap|nuclei/i;
const TOOLS =
  /^(curl|wget|python|go-http-client|java\/|okhttp|libwww|lwp|httpclient|apache-httpclient|axios|node-fetch|undici|node|ruby|php|perl|powershell|postmanruntime|insomnia|httpie)/i;

/** The user agent's family (the only thing kept of it). */
export function agentFamily(ua: string): string {
  if (!ua) return "none";
  if (BOTS.test(ua)) return "bot";
  if (TOOLS.test(ua)) return "tool";
  if (/microsoft office|outlook|ms-office|msoffice/i.test(ua)) return "office";
  if (/edg(e|a|ios)?\//i.test(ua)) return "edge";
  if (/firefox\/|fxios\//i.test(ua)) return "firefox";
  if (/chrome\/|crios\//i.test(ua)) return "chrome";
  if (/safari\//i.test(ua) && /version\//i.test(ua)) return "safari";
  return "other";
}

/** A browser's prefetch or prerender, or a link preview announcing itself. */
export function isPrefetch(h: RequestFacts["headers"]): boolean {
  const purpose = `${header(h, "purpose")},${header(h, "sec-purpose")},${header(h, "x-purpose")},${header(h, "x-moz")}`;
  return /prefetch|prerender|preview/i.test(purpose);
}

/** The headers a browser sends when a person navigates or its page script calls back. */
function hasBrowserHeaders(h: RequestFacts["headers"]): boolean {
  return (
    !!header(h, "accept-language") &&
    (!!header(h, "sec-fetch-mode") || /text\/html|\*\/\*/.test(header(h, "accept")))
  );
}

/**
 * Classifies a request: its shape and the first reason it cannot be a person's own action
 * (null: it may be). Checked in this order: HEAD, prefetch, scanner range, bot or tool agent,
 * too soon after delivery. An Office application fetching a link is a machine, but it is
 * also what loads the open pixel when a person reads the mail in Outlook.
 */
export function classify(
  kind: "open" | "click" | "confirm" | "submit",
  req: RequestFacts,
  sentAt: Date | null,
  now: Date,
  s: FilterSettings,
): { shape: Shape; reason: FilterReason | null } {
  const ua = header(req.headers, "user-agent");
  const agent = agentFamily(ua);
  const scannerRange = inRanges(s.ranges, req.ip);
  const secondsSinceSent = sentAt ? Math.max(0, Math.round((now.getTime() - sentAt.getTime()) / 1000)) : null;
  const shape: Shape = {
    method: req.method,
    browserHeaders: hasBrowserHeaders(req.headers),
    agent,
    secondsSinceSent,
    scannerRange,
  };
  let reason: FilterReason | null = null;
  if (req.method === "HEAD") reason = "head_request";
  else if (isPrefetch(req.headers)) reason = "prefetch";
  else if (scannerRange) reason = "scanner_range";
  else if (agent === "bot" || agent === "tool" || agent === "none" || (agent === "office" && kind !== "open"))
    reason = "bot_agent";
  else if (secondsSinceSent !== null && secondsSinceSent < s.minSeconds) reason = "too_fast";
  return { shape, reason };
}
