/**
 * What makes reports "similar": the same suspicious sender, the same link host, or the same
 * subject once reply/forward prefixes and tags are taken off.
 */

const URL_RE = /\bhttps?:\/\/[^\s<>"'`()[\]{}]+/gi;
const HREF_RE = /\bhref\s*=\s*["']?(https?:\/\/[^"'\s>]+)/gi;
const PREFIX_RE =
  /^\s*((re|fw|fwd|aw|wg|tr|sv|vs|antw)\s*(\[\d+\])?\s*:|\[(external|ext|extern|suspicious|spam)\])\s*/i;

/** Links found in text and in HTML href attributes, de-duplicated, at most 50. */
export function extractUrls(...sources: (string | null | undefined)[]): string[] {
  const found = new Set<string>();
  for (const s of sources) {
    if (!s) continue;
    for (const m of s.matchAll(HREF_RE)) found.add(trimUrl(m[1]!));
    for (const m of s.matchAll(URL_RE)) found.add(trimUrl(m[0]));
  }
  return [...found].filter((u) => hostOf(u)).slice(0, 50);
}

const trimUrl = (u: string) => u.replace(/[.,;:!?]+$/, "").replace(/&amp;/g, "&");

export function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, "") || null;
  } catch {
    return null;
  }
}

export function subjectKey(subject: string | null | undefined): string | null {
  if (!subject) return null;
  let s = subject;
  for (let i = 0; i < 10 && PREFIX_RE.test(s); i++) s = s.replace(PREFIX_RE, "");
  const key = s.toLowerCase().replace(/\s+/g, " ").trim();
  return key.length >= 3 ? key.slice(0, 300) : null;
}

export function senderKey(sender: string | null | undefined): string | null {
  if (!sender) return null;
  const m = /<([^>]+)>/.exec(sender);
  const addr = (m?.[1] ?? sender).trim().toLowerCase();
  return addr.length ? addr.slice(0, 254) : null;
}

export interface GroupKeys {
  suspectSender: string | null;
  urlHost: string | null;
  subjectKey: string | null;
  urls: string[];
}

export function groupKeys(input: {
  sender?: string | null;
  subject?: string | null;
  urls: string[];
}): GroupKeys {
  const urls = [...new Set(input.urls)].slice(0, 50);
  return {
    suspectSender: senderKey(input.sender),
    urlHost: urls.map(hostOf).find((h) => !!h) ?? null,
    subjectKey: subjectKey(input.subject),
    urls,
  };
}
