import { Badge } from "@mantine/core";
import {
  CRITICALITY_COLORS,
  CRITICALITY_LABELS,
  PLAN_STATE_COLORS,
  PLAN_STATE_LABELS,
  STEP_STATE_COLORS,
  STEP_STATE_LABELS,
  SYSTEM_PROGRESS_COLORS,
  SYSTEM_PROGRESS_LABELS,
  TASK_STATE_COLORS,
  TASK_STATE_LABELS,
} from "./labels";
import type { Criticality, PlanState, StepState, SystemProgress, TaskState } from "./types";

function StateBadge({ label, color }: { label: string; color: string }) {
  return (
    <Badge variant="light" color={color} radius="sm" style={{ flexShrink: 0, minWidth: "max-content" }}>
      {label}
    </Badge>
  );
}

export function PlanStateBadge({ state }: { state: PlanState }) {
  return <StateBadge label={PLAN_STATE_LABELS[state]} color={PLAN_STATE_COLORS[state]} />;
}

export function StepStateBadge({ state }: { state: StepState }) {
  return <StateBadge label={STEP_STATE_LABELS[state]} color={STEP_STATE_COLORS[state]} />;
}

export function SystemProgressBadge({ state }: { state: SystemProgress }) {
  return <StateBadge label={SYSTEM_PROGRESS_LABELS[state]} color={SYSTEM_PROGRESS_COLORS[state]} />;
}

export function TaskStateBadge({ state }: { state: TaskState }) {
  return <StateBadge label={TASK_STATE_LABELS[state]} color={TASK_STATE_COLORS[state]} />;
}

export function CriticalityBadge({ criticality }: { criticality: Criticality }) {
  return <StateBadge label={CRITICALITY_LABELS[criticality]} color={CRITICALITY_COLORS[criticality]} />;
}

export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return enabled ? (
    <StateBadge label="Enabled" color="teal" />
  ) : (
    <StateBadge label="Switched off" color="gray" />
  );
}

/** A badge with the given words and colour (for states described in governanceLabels). */
export function LabelBadge({ label, color }: { label: string; color: string }) {
  return <StateBadge label={label} color={color} />;
}
