import { Badge } from "@mantine/core";
import { STATUS_COLORS, STATUS_LABELS } from "./labels";
import type { PersonStatus } from "./types";

export function PersonStatusBadge({ status }: { status: PersonStatus }) {
  return (
    <Badge variant="light" color={STATUS_COLORS[status]} radius="sm">
      {STATUS_LABELS[status]}
    </Badge>
  );
}

/** Shown only when the API sent `highRisk: true` (it sends the flag to HR, Security and Legal only). */
export function HighRiskBadge({ highRisk }: { highRisk?: boolean }) {
  if (highRisk !== true) return null;
  return (
    <Badge variant="filled" color="red" radius="sm" title="High-risk leaver: revoke access with priority">
      High risk
    </Badge>
  );
}
