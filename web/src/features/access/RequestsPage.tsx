import { Button, EmptyState, Group, Loader, SegmentedControl, Select, Table, Text } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink, ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { LabelBadge } from "./badges";
import { REQUEST_STATE_COLORS, REQUEST_STATE_LABELS, REQUEST_STATES } from "./governanceLabels";
import { type RequestsView, requestsQuery } from "./governanceQueries";
import { isOneOf } from "./labels";
import type { RequestsSearch } from "./search";
import type { AccessRequest } from "./types";

const routeApi = getRouteApi("/authed/access/requests");

function waitingFor(r: AccessRequest): string {
  if (r.state !== "pending") return "—";
  const step = r.steps.find((s) => s.seq === r.currentStep);
  if (!step) return "—";
  return step.approverName ?? (step.role === "security" ? "Security" : "—");
}

const EMPTY: Record<RequestsView, { title: string; text: string }> = {
  mine: {
    title: "You have not asked for anything",
    text: "Need access your role does not give? Use Request access; your manager and the system owner decide.",
  },
  approve: {
    title: "Nothing waits for you",
    text: "Requests you must approve — as a manager, a system owner or Security — appear here.",
  },
  all: { title: "No requests", text: "Requests appear when employees ask for access beyond their role." },
};

/** My requests, the approvals inbox, and (for access readers) every request. */
export function RequestsPage() {
  const search: RequestsSearch = routeApi.useSearch();
  const navigate = routeApi.useNavigate();
  const canRead = useCan("access:read");
  const view: RequestsView = search.view === "all" && canRead ? "all" : (search.view ?? "mine");
  const state = isOneOf(REQUEST_STATES, search.state) ? search.state : undefined;
  const requests = useInfiniteQuery(requestsQuery(view, state));
  const items = requests.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader
        title="Access requests"
        description="Access asked for beyond the role, and the approvals it waits for."
        actions={<ButtonLink to="/access/request">Request access</ButtonLink>}
      />
      <Group mb="md" justify="space-between" align="flex-end">
        <SegmentedControl
          aria-label="Which requests"
          value={view}
          onChange={(next) =>
            void navigate({
              to: "/access/requests",
              search: { view: next === "approve" || next === "all" ? next : undefined, state: search.state },
              replace: true,
            })
          }
          data={[
            { value: "mine", label: "My requests" },
            { value: "approve", label: "To approve" },
            ...(canRead ? [{ value: "all", label: "All" }] : []),
          ]}
        />
        <Select
          label="State"
          placeholder="Any state"
          clearable
          data={REQUEST_STATES.map((s) => ({ value: s, label: REQUEST_STATE_LABELS[s] }))}
          value={state ?? null}
          onChange={(v) =>
            void navigate({
              to: "/access/requests",
              search: { view: search.view, state: v ?? undefined },
              replace: true,
            })
          }
        />
      </Group>
      {requests.isPending ? <Loader aria-label="Loading the requests" /> : null}
      <ErrorAlert error={requests.error} title="Could not load the requests" />
      {requests.isSuccess && items.length === 0 ? (
        <EmptyState my="xl" title={EMPTY[view].title} description={EMPTY[view].text} />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Access requests" minWidth={900}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Asked</Table.Th>
              {view !== "mine" ? <Table.Th scope="col">Person</Table.Th> : null}
              <Table.Th scope="col">Access</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">Waiting for</Table.Th>
              <Table.Th scope="col">Until</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  <AnchorLink to="/access/requests/$id" params={{ id: r.id }}>
                    {formatDateTime(r.createdAt)}
                  </AnchorLink>
                </Table.Td>
                {view !== "mine" ? <Table.Td>{r.personName}</Table.Td> : null}
                <Table.Td>
                  <Text size="sm" fw={600}>
                    {r.entitlementName ?? "An account"}
                  </Text>
                  <Text size="xs">{r.systemName}</Text>
                  {r.sodRules.length ? (
                    <Text size="xs" c="orange.9">
                      Crosses {r.sodRules.map((s) => s.name).join(", ")}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <LabelBadge label={REQUEST_STATE_LABELS[r.state]} color={REQUEST_STATE_COLORS[r.state]} />
                </Table.Td>
                <Table.Td>{waitingFor(r)}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  {r.endsAt ? formatDateTime(r.endsAt) : "Lasting"}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {requests.hasNextPage ? (
        <Group justify="center" mt="md">
          <Button
            variant="default"
            loading={requests.isFetchingNextPage}
            onClick={() => void requests.fetchNextPage()}
          >
            Load more
          </Button>
        </Group>
      ) : null}
    </>
  );
}
