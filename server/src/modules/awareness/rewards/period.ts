/**
 * Time spans for points: review periods ("2026-H2", "2026-Q3", "2026") and the leaderboard
 * choices (this quarter, this year, or a custom from/to). A span is [from, to) in UTC.
 */
import { unprocessable } from "../../../platform/http/index.js";

export interface Span {
  from: Date;
  to: Date;
}

export const PERIOD_PATTERN = /^(\d{4})(?:-(H[12]|Q[1-4]))?$/;

const utc = (y: number, m: number) => new Date(Date.UTC(y, m, 1));

/** The span of a review period, or undefined when the text is not one. */
export function periodSpan(period: string): Span | undefined {
  const m = PERIOD_PATTERN.exec(period);
  if (!m) return undefined;
  const y = Number(m[1]);
  if (y < 2000 || y > 2200) return undefined;
  const part = m[2];
  if (!part) return { from: utc(y, 0), to: utc(y + 1, 0) };
  const n = Number(part.slice(1));
  const months = part[0] === "H" ? 6 : 3;
  return { from: utc(y, (n - 1) * months), to: utc(y, n * months) };
}

/** A review period's span, or 422 naming the field. */
export function requirePeriod(period: string, field = "period"): Span {
  const s = periodSpan(period);
  if (!s)
    throw unprocessable("rewards.invalid_period", `"${period}" is not a review period`, [
      { path: field, message: "use a year (2026), a half (2026-H2) or a quarter (2026-Q3)" },
    ]);
  return s;
}

/** The half-year review period a moment falls in, e.g. "2026-H2". */
export function currentPeriod(now = new Date()): string {
  return `${now.getUTCFullYear()}-H${now.getUTCMonth() < 6 ? 1 : 2}`;
}

export function thisQuarter(now = new Date()): Span {
  const q = Math.floor(now.getUTCMonth() / 3);
  return { from: utc(now.getUTCFullYear(), q * 3), to: utc(now.getUTCFullYear(), q * 3 + 3) };
}

export function thisYear(now = new Date()): Span {
  return { from: utc(now.getUTCFullYear(), 0), to: utc(now.getUTCFullYear() + 1, 0) };
}

/** A custom span from two dates (YYYY-MM-DD, `to` included); 422 naming the field when wrong. */
export function customSpan(from: string | undefined, to: string | undefined): Span {
  const day = (v: string | undefined, field: string) => {
    const d = v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : undefined;
    if (!d || Number.isNaN(d.getTime()))
      throw unprocessable("rewards.invalid_span", `${field} must be a date (YYYY-MM-DD)`, [
        { path: field, message: "a date such as 2026-07-01" },
      ]);
    return d;
  };
  const f = day(from, "from");
  const t = new Date(day(to, "to").getTime() + 86_400_000);
  if (t <= f)
    throw unprocessable("rewards.invalid_span", "to must not be before from", [
      { path: "to", message: "on or after from" },
    ]);
  return { from: f, to: t };
}
