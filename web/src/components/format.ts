const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

function parse(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatDateTime(value: string | null | undefined, fallback = "—"): string {
  const date = parse(value);
  return date ? dateTime.format(date) : fallback;
}

export function formatDateTimeSeconds(value: string | null | undefined, fallback = "—"): string {
  const date = parse(value);
  return date ? dateTimeSeconds.format(date) : fallback;
}

export function formatDate(value: string | null | undefined, fallback = "—"): string {
  const date = parse(value);
  return date ? dateOnly.format(date) : fallback;
}
