import {
  Alert,
  Box,
  Card,
  DataList,
  Group,
  List,
  Loader,
  Progress,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink, ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { PlanStateBadge } from "./badges";
import { PLAN_REASON_LABELS, sentence } from "./labels";
import { PersonName } from "./PersonName";
import { accessKey, planQuery } from "./queries";
import { StepsTable } from "./StepsTable";
import type { PlanState } from "./types";

const routeApi = getRouteApi("/authed/access/plans/$id");

const CANCELLABLE: readonly PlanState[] = ["draft", "held", "running", "failed"];

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

/** One plan: its cause, state and steps, with retry, hand-over and cancel. */
export function PlanPage() {
  const { id }: { id: string } = routeApi.useParams();
  const queryClient = useQueryClient();
  const canAdmin = useCan("access:admin");
  const current = useQuery(planQuery(id));
  const cancel = useMutation({
    mutationFn: async () =>
      expectData(await api.POST("/api/v1/access/plans/{id}/cancel", { params: { path: { id } }, body: {} })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: accessKey }),
  });

  if (current.isPending) return <Loader aria-label="Loading the plan" />;
  if (!current.data) {
    return (
      <>
        <PageHeader title="Access plan" />
        <ErrorAlert error={current.error} title="Could not load this plan" />
        <AnchorLink to="/access/plans">Back to Access plans</AnchorLink>
      </>
    );
  }
  const plan = current.data;
  const live = plan.steps.filter((s) => s.state !== "cancelled");
  const verified = live.filter((s) => s.state === "verified").length;
  const failed = live.filter((s) => s.state === "failed").length;
  const share = live.length ? Math.round((verified / live.length) * 100) : 100;

  return (
    <>
      <AnchorLink to="/access/plans" size="sm">
        ← Access plans
      </AnchorLink>
      <PageHeader
        title={`${PLAN_REASON_LABELS[plan.reason]} plan`}
        description={`Made ${formatDateTime(plan.createdAt)}${plan.createdBy ? ` by ${plan.createdBy}` : ""}`}
        actions={
          <>
            {plan.reason === "leaver" && plan.personId ? (
              <ButtonLink
                variant="default"
                to="/access/people/$personId/offboarding"
                params={{ personId: plan.personId }}
              >
                Leaver page
              </ButtonLink>
            ) : null}
            {canAdmin && CANCELLABLE.includes(plan.state) ? (
              <ConfirmButton
                question="Cancel every step not done yet?"
                confirmLabel="Cancel plan"
                loading={cancel.isPending}
                onConfirm={() => cancel.mutate()}
              >
                Cancel plan
              </ConfirmButton>
            ) : null}
          </>
        }
      />
      {cancel.error ? (
        <Box mb="md">
          <ErrorAlert error={cancel.error} title="Could not cancel the plan" />
        </Box>
      ) : null}
      {plan.state === "held" ? (
        <Alert color="orange" variant="light" title="Held by the circuit breaker" mb="lg">
          {sentence(plan.heldReason ?? "Too many removals at once on a system")} Nothing of this plan runs
          until someone releases the breaker on the system's page, or cancels the plan.
          {plan.heldSystemIds.length ? (
            <List size="sm" mt="xs">
              {plan.heldSystemIds.map((systemId) => (
                <List.Item key={systemId}>
                  <AnchorLink to="/access/systems/$id" params={{ id: systemId }}>
                    {plan.steps.find((s) => s.systemId === systemId)?.systemName ?? "System"}
                  </AnchorLink>
                </List.Item>
              ))}
            </List>
          ) : null}
        </Alert>
      ) : null}
      <Card withBorder padding="lg" mb="lg" component="section" aria-label="Plan">
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
          <DataList labelWidth={140}>
            <Item label="Person">
              <PersonName personId={plan.personId} size="sm" />
            </Item>
            <Item label="State">
              <Group gap="xs">
                <PlanStateBadge state={plan.state} />
                {plan.immediate ? <Text size="sm">immediate</Text> : null}
              </Group>
            </Item>
            <Item label="HR event">{formatDateTime(plan.hrEventAt)}</Item>
          </DataList>
          <DataList labelWidth={140}>
            <Item label="Finished">{formatDateTime(plan.finishedAt, "Not yet")}</Item>
            <Item label="Progress">
              <Stack gap={2} w={260}>
                <Progress
                  value={share}
                  color={failed ? "red" : "teal"}
                  aria-label={`${verified} of ${live.length} steps verified`}
                />
                <Text size="xs">
                  {verified} of {live.length} steps verified{failed ? `, ${failed} failed` : ""}
                </Text>
              </Stack>
            </Item>
          </DataList>
        </SimpleGrid>
        {plan.notes.length ? (
          <List size="sm" mt="sm">
            {plan.notes.map((note) => (
              <List.Item key={note}>{note}</List.Item>
            ))}
          </List>
        ) : null}
      </Card>
      <Title order={2} size="h3" mb="sm">
        Steps
      </Title>
      {plan.steps.length === 0 ? (
        <Text c="dimmed">This plan has no steps: the person's access already matched.</Text>
      ) : (
        <StepsTable
          label="Steps of the plan"
          steps={plan.steps}
          withSystem
          personId={plan.personId}
          isHeld={(step) =>
            plan.state === "held" && !!step.systemId && plan.heldSystemIds.includes(step.systemId)
          }
          readOnly={plan.dryRun || plan.state === "cancelled"}
        />
      )}
    </>
  );
}
