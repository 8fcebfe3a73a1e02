import { Button, Group, Table, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTimeSeconds } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { ScrollTable } from "../../components/ScrollTable";
import { StepStateBadge } from "./badges";
import { HandOverModal } from "./HandOverModal";
import { describeStep, pendingReason, stepDetail } from "./labels";
import { accessKey } from "./queries";
import type { Step } from "./types";

interface StepsTableProps {
  label: string;
  steps: readonly Step[];
  /** Show the system column (the plan view); the leaver page groups by system instead. */
  withSystem?: boolean;
  /** No retry or hand-over in a dry run or a cancelled plan. */
  readOnly?: boolean;
  /** Where a departure has several plans, which one a step belongs to ("plan 2"). */
  planLabel?: (planId: string) => string | null;
  /** The person the steps are for: "Open tasks" shows their tasks only. */
  personId?: string | null;
  /** Steps the circuit breaker holds (their plan is held on their system). */
  isHeld?: (step: Step) => boolean;
}

function canHandOver(step: Step): boolean {
  return step.state === "failed" || ((step.state === "pending" || step.state === "applied") && !!step.error);
}

/** A plan's steps: what each does, its state, attempts, why it is not done, when it was verified. */
export function StepsTable({
  label,
  steps,
  withSystem = false,
  readOnly = false,
  planLabel,
  personId,
  isHeld,
}: StepsTableProps) {
  const queryClient = useQueryClient();
  const canAdmin = useCan("access:admin") && !readOnly;
  const [handing, setHanding] = useState<Step | null>(null);
  const retry = useMutation({
    mutationFn: async (id: string) =>
      expectData(await api.POST("/api/v1/access/steps/{id}/retry", { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: accessKey }),
  });
  const actionable = canAdmin && steps.some((s) => s.state === "failed" || canHandOver(s));

  return (
    <>
      <ErrorAlert error={retry.error} title="Could not retry the step" />
      <ScrollTable label={label} minWidth={withSystem ? 980 : 820}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Step</Table.Th>
            {withSystem ? <Table.Th scope="col">System</Table.Th> : null}
            <Table.Th scope="col">State</Table.Th>
            <Table.Th scope="col">Attempts</Table.Th>
            <Table.Th scope="col">What is happening</Table.Th>
            <Table.Th scope="col">Verified</Table.Th>
            {actionable ? <Table.Th scope="col">Actions</Table.Th> : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {steps.map((step) => {
            const reason =
              step.state === "pending" && isHeld?.(step)
                ? "Held by the circuit breaker until a person releases it on the system's page"
                : pendingReason(step);
            const detail = stepDetail(step);
            return (
              <Table.Tr key={step.id}>
                <Table.Td>
                  <Text size="sm">{describeStep(step)}</Text>
                  {planLabel?.(step.planId) ? (
                    <Text size="xs" c="dimmed">
                      {planLabel(step.planId)}
                    </Text>
                  ) : null}
                </Table.Td>
                {withSystem ? <Table.Td>{step.systemName ?? "Devices and premises"}</Table.Td> : null}
                <Table.Td>
                  <StepStateBadge state={step.state} />
                </Table.Td>
                <Table.Td ta="center">{step.attempts}</Table.Td>
                <Table.Td maw={360}>
                  {reason ? (
                    <Text size="sm" c={step.state === "failed" ? "red.9" : undefined}>
                      {reason}
                    </Text>
                  ) : step.state === "verified" && step.attestedBy ? (
                    <Text size="sm">Attested by {step.attestedBy}</Text>
                  ) : step.state === "cancelled" && step.error ? (
                    <Text size="sm" c="dimmed">
                      {step.error}
                    </Text>
                  ) : (
                    "—"
                  )}
                  {detail ? (
                    <Text size="xs" c="dimmed" style={{ wordBreak: "break-word" }}>
                      {detail}
                    </Text>
                  ) : null}
                  {step.state === "manual" && step.manualTaskId ? (
                    <AnchorLink to="/access/tasks" search={{ personId: personId ?? undefined }} size="sm">
                      Open tasks
                    </AnchorLink>
                  ) : null}
                </Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDateTimeSeconds(step.verifiedAt)}</Table.Td>
                {actionable ? (
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      {step.state === "failed" ? (
                        <Button
                          size="xs"
                          variant="default"
                          loading={retry.isPending && retry.variables === step.id}
                          onClick={() => retry.mutate(step.id)}
                          aria-label={`Retry: ${describeStep(step)}`}
                        >
                          Retry
                        </Button>
                      ) : null}
                      {canHandOver(step) ? (
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => setHanding(step)}
                          aria-label={`Hand over: ${describeStep(step)}`}
                        >
                          Hand over
                        </Button>
                      ) : null}
                    </Group>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </ScrollTable>
      {handing ? <HandOverModal step={handing} onClose={() => setHanding(null)} /> : null}
    </>
  );
}
