/** The viewer's own IANA time zone, as the browser reports it. */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // dateStyle/timeStyle cannot be combined with timeZoneName, so name the parts.
    const parts: Intl.DateTimeFormatOptions = {
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZoneName: "short",
    };
    try {
      f = new Intl.DateTimeFormat(undefined, { ...parts, timeZone });
    } catch {
      f = new Intl.DateTimeFormat(undefined, { ...parts, timeZone: "UTC" });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** "12 Mar 2026, 00:00 GMT+2" — a moment shown in the given time zone. */
export function formatInZone(iso: string, timeZone: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : formatter(timeZone).format(date);
}

/** Today as yyyy-mm-dd in the viewer's zone (the value of a date input). */
export function todayIso(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

/** A calendar date (yyyy-mm-dd) as written, whatever the viewer's zone ("1 Mar 2026"). */
export function formatDay(day: string | null | undefined, fallback = "—"): string {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return day || fallback;
  return dayFormat.format(new Date(`${day}T00:00:00Z`));
}
