import { Button, EmptyState, Group, Loader, Progress, SegmentedControl, Table, Text } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { PlanStateBadge } from "./badges";
import { isOneOf, PLAN_REASON_LABELS, PLAN_STATE_LABELS } from "./labels";
import { PersonName } from "./PersonName";
import { plansQuery } from "./queries";
import { PLAN_FILTERS as FILTERS, type PlanFilter } from "./search";
import type { PlanSummary } from "./types";

const routeApi = getRouteApi("/authed/access/plans");

function PlanRow({ plan }: { plan: PlanSummary }) {
  const share = plan.steps ? Math.round((plan.verified / plan.steps) * 100) : 100;
  return (
    <Table.Tr>
      <Table.Td style={{ whiteSpace: "nowrap" }}>
        <AnchorLink to="/access/plans/$id" params={{ id: plan.id }}>
          {formatDateTime(plan.createdAt)}
        </AnchorLink>
      </Table.Td>
      <Table.Td>
        <PersonName
          personId={plan.personId}
          name={plan.personName}
          to={plan.reason === "leaver" ? "offboarding" : "person"}
        />
      </Table.Td>
      <Table.Td>
        {PLAN_REASON_LABELS[plan.reason]}
        {plan.immediate ? (
          <Text size="xs" c="dimmed">
            immediate
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <PlanStateBadge state={plan.state} />
        {plan.heldReason && plan.state === "held" ? (
          <Text size="xs" c="dimmed" maw={260}>
            {plan.heldReason}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td miw={160}>
        <Progress
          value={share}
          color={plan.failed ? "red" : "teal"}
          size="sm"
          aria-label={`${plan.verified} of ${plan.steps} steps verified`}
        />
        <Text size="xs" mt={2}>
          {plan.verified}/{plan.steps} verified{plan.failed ? ` · ${plan.failed} failed` : ""}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDateTime(plan.finishedAt)}</Table.Td>
    </Table.Tr>
  );
}

/** Every plan Tandem made (joiners, movers, leavers), newest first, filtered by state. */
export function PlansPage() {
  const { state }: { state?: PlanFilter } = routeApi.useSearch();
  const navigate = routeApi.useNavigate();
  const plans = useInfiniteQuery(plansQuery(state));
  const items = plans.data?.pages.flat() ?? [];

  return (
    <>
      <PageHeader
        title="Access plans"
        description="What Tandem changes on the systems for each HR event, step by step, each change read back from the system."
      />
      <Group mb="md">
        <SegmentedControl
          aria-label="Show plans"
          value={state ?? "all"}
          onChange={(next) =>
            void navigate({
              to: "/access/plans",
              search: { state: isOneOf(FILTERS, next) ? next : undefined },
              replace: true,
            })
          }
          data={[
            { value: "all", label: "All" },
            ...FILTERS.map((f) => ({ value: f, label: PLAN_STATE_LABELS[f] })),
          ]}
        />
      </Group>
      {plans.isPending ? <Loader aria-label="Loading the plans" /> : null}
      <ErrorAlert error={plans.error} title="Could not load the plans" />
      {plans.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title={state ? `No ${PLAN_STATE_LABELS[state].toLowerCase()} plans` : "No plans yet"}
          description={
            state
              ? "Nothing is in this state right now. Choose All to see every plan."
              : "Plans appear when HR records a hire, start, move or termination of someone an access profile matches. Describe systems and access profiles first; a person's page can also preview what Tandem would do."
          }
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Access plans" minWidth={940}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Made</Table.Th>
              <Table.Th scope="col">Person</Table.Th>
              <Table.Th scope="col">Why</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">Progress</Table.Th>
              <Table.Th scope="col">Finished</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((plan) => (
              <PlanRow key={plan.id} plan={plan} />
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {plans.hasNextPage ? (
        <Group justify="center" mt="md">
          <Button
            variant="default"
            loading={plans.isFetchingNextPage}
            onClick={() => void plans.fetchNextPage()}
          >
            Load more
          </Button>
        </Group>
      ) : null}
    </>
  );
}
