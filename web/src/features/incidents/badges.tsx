import { Badge } from "@mantine/core";
import { SEVERITY_COLORS, SEVERITY_LABELS, type Severity, STATUS_LABELS, type Status } from "./labels";

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <Badge color={SEVERITY_COLORS[severity]} variant={severity === "sev1" ? "filled" : "light"} radius="sm">
      {SEVERITY_LABELS[severity]}
    </Badge>
  );
}

const STATUS_COLORS: Record<Status, string> = {
  open: "red",
  contained: "orange",
  resolved: "teal",
  closed: "gray",
};

export function StatusBadge({ status }: { status: Status }) {
  return (
    <Badge color={STATUS_COLORS[status]} variant="light" radius="sm">
      {STATUS_LABELS[status]}
    </Badge>
  );
}
