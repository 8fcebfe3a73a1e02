import { Badge } from "@mantine/core";
import type { CampaignStatus, InteractionKind, RecipientStatus } from "./types";

export const CAMPAIGN_STATUS: Record<CampaignStatus, { label: string; color: string }> = {
  draft: { label: "Draft", color: "yellow" },
  scheduled: { label: "Scheduled", color: "blue" },
  sending: { label: "Sending", color: "indigo" },
  finished: { label: "Finished", color: "teal" },
  cancelled: { label: "Cancelled", color: "gray" },
};

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  const s = CAMPAIGN_STATUS[status] ?? { label: status, color: "gray" };
  return (
    <Badge color={s.color} variant="light" radius="sm">
      {s.label}
    </Badge>
  );
}

export const RECIPIENT_STATUS: Record<RecipientStatus, { label: string; color: string; help: string }> = {
  pending: { label: "Pending", color: "gray", help: "waiting for its moment in the window" },
  sending: { label: "Sending", color: "indigo", help: "handed to the sender" },
  sent: { label: "Sent", color: "teal", help: "accepted by the mail server" },
  failed: { label: "Failed", color: "red", help: "refused by the mail server" },
  uncertain: {
    label: "Uncertain",
    color: "orange",
    help: "the sender stopped before recording the result; it may or may not have arrived",
  },
  dropped: { label: "Dropped", color: "gray", help: "left the audience or the campaign was cancelled" },
};

export function RecipientStatusBadge({ status }: { status: RecipientStatus }) {
  const s = RECIPIENT_STATUS[status] ?? { label: status, color: "gray", help: "" };
  return (
    <Badge color={s.color} variant="light" radius="sm" title={s.help}>
      {s.label}
    </Badge>
  );
}

/** Why a tracked request was not counted as the person's own action. */
export const FILTER_REASONS: Record<string, string> = {
  scanner_range: "From a mail scanner's address range",
  too_fast: "Too soon after delivery for a person",
  bot_agent: "An automated client (user agent)",
  prefetch: "A browser or mail client prefetching the link",
  head_request: "A HEAD request (link checkers)",
  not_confirmed: "A click never confirmed by a browser",
  expired: "After the tracking period ended",
  duplicate: "Already counted for this person",
};

export const filterReason = (r: string | null) => (r ? (FILTER_REASONS[r] ?? r) : "—");

export const INTERACTION_KINDS: Record<InteractionKind, string> = {
  open: "Opened (image loaded)",
  click: "Clicked the link",
  confirm: "Click confirmed by the browser",
  submit: "Submitted the form",
  report: "Reported the mail",
};

export const LURES: { value: string; label: string }[] = [
  { value: "payment", label: "Invoice or payment change" },
  { value: "delivery", label: "Parcel delivery" },
  { value: "login", label: "Shared document or sign-in" },
  { value: "ai_tool", label: "AI tool licence" },
  { value: "hr", label: "HR or salary letter" },
  { value: "other", label: "Other" },
];
export const lureLabel = (v: string) => LURES.find((l) => l.value === v)?.label ?? v;

/** A rate the server computed, in percent (one decimal), or "—" when nothing was sent. */
export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? "—" : `${v} %`;
}

/** `n` of `of` as a percentage with one decimal, or "—" when `of` is zero. */
export function rate(n: number, of: number): string {
  return of ? `${Math.round((n * 1000) / of) / 10} %` : "—";
}

/** `<input type="datetime-local">` value (local time) ↔ ISO 8601 UTC. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
export function fromLocalInput(value: string): string {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}
