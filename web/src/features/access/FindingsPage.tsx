import {
  Button,
  EmptyState,
  Group,
  Loader,
  Menu,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink, ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { LabelBadge } from "./badges";
import { type FindingDecision, FindingDecisionModal } from "./FindingDecisionModal";
import {
  FINDING_KIND_HELP,
  FINDING_KIND_LABELS,
  FINDING_KINDS,
  FINDING_STATE_COLORS,
  FINDING_STATE_LABELS,
  fixesFor,
} from "./governanceLabels";
import { findingsQuery } from "./governanceQueries";
import { isOneOf } from "./labels";
import { PersonName } from "./PersonName";
import { systemsQuery } from "./queries";
import type { FindingsSearch } from "./search";
import type { Finding } from "./types";

const routeApi = getRouteApi("/authed/access/findings");

const DECISION_LABELS: Record<FindingDecision, string> = {
  revoke: "Revoke",
  link: "Link to a person",
  grant: "Grant",
  accept: "Accept as exception",
};

function Observed({ f }: { f: Finding }) {
  const d = f.details;
  const parts: string[] = [];
  if (typeof d.entitlementName === "string") parts.push(d.entitlementName);
  else if (f.entitlementRef) parts.push(f.entitlementRef);
  if (typeof d.daysSince === "number") parts.push(`no sign-in for ${d.daysSince} days`);
  if (typeof d.missing === "string") parts.push(`missing: ${d.missing}`);
  if (typeof d.status === "string") parts.push(`HR status: ${d.status.replace("_", " ")}`);
  if (Array.isArray(d.entitlements) && d.entitlements.length)
    parts.push(`holds ${d.entitlements.length} entitlements`);
  if (Array.isArray(d.candidates)) parts.push(`${d.candidates.length} possible people`);
  return (
    <Text size="xs" c="dimmed">
      {parts.join(" · ") || "—"}
    </Text>
  );
}

/** Reconciliation findings: filter, search, page through, and decide each one. */
export function FindingsPage() {
  const search: FindingsSearch = routeApi.useSearch();
  const navigate = routeApi.useNavigate();
  const canAdmin = useCan("access:admin");
  const systems = useQuery(systemsQuery);
  const [text, setText] = useState(search.q ?? "");
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [deciding, setDeciding] = useState<{ finding: Finding; decision: FindingDecision } | null>(null);
  const kind = isOneOf(FINDING_KINDS, search.kind) ? search.kind : undefined;
  const filter = { kind, systemId: search.systemId, state: search.state ?? "open", q: search.q } as const;
  const cursor = cursors[cursors.length - 1] ?? null;
  const findings = useQuery(findingsQuery(filter, cursor));
  const items = findings.data?.items ?? [];
  const decidable = (f: Finding) => canAdmin && f.state === "open";

  const setSearch = (next: Partial<FindingsSearch>) => {
    setCursors([null]);
    void navigate({ to: "/access/findings", search: { ...search, ...next }, replace: true });
  };
  const searchFor = useDebouncedCallback((value: string) => setSearch({ q: value.trim() || undefined }), 300);

  return (
    <>
      <PageHeader
        title="Findings"
        description="What reconciliation found that does not fit HR or the profiles. Fix it, link it, or accept it for a while with a reason."
        actions={
          <ButtonLink to="/access/reconcile" variant="default">
            Reconciliation runs
          </ButtonLink>
        }
      />
      <Group mb="md" align="flex-end" wrap="wrap">
        <TextInput
          label="Search"
          placeholder="Username, account, entitlement or person"
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            searchFor(e.currentTarget.value);
          }}
          miw={280}
        />
        <Select
          label="Kind"
          placeholder="Any kind"
          clearable
          data={FINDING_KINDS.map((k) => ({ value: k, label: FINDING_KIND_LABELS[k] }))}
          value={kind ?? null}
          onChange={(v) => setSearch({ kind: v ?? undefined })}
        />
        <Select
          label="System"
          placeholder="Any system"
          clearable
          searchable
          data={(systems.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          value={search.systemId ?? null}
          onChange={(v) => setSearch({ systemId: v ?? undefined })}
        />
        <Select
          label="State"
          data={[
            { value: "open", label: "Open" },
            { value: "fixing", label: "Being fixed" },
            { value: "accepted", label: "Accepted" },
            { value: "resolved", label: "Resolved" },
            { value: "all", label: "All" },
          ]}
          value={search.state ?? "open"}
          allowDeselect={false}
          onChange={(v) =>
            setSearch({
              state: v === "fixing" || v === "accepted" || v === "resolved" || v === "all" ? v : undefined,
            })
          }
        />
      </Group>
      {findings.isPending ? <Loader aria-label="Loading the findings" /> : null}
      <ErrorAlert error={findings.error} title="Could not load the findings" />
      {findings.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title={search.q || kind || search.systemId ? "Nothing matches" : "No findings here"}
          description={
            search.q || kind || search.systemId
              ? "Clear the search or a filter to see more."
              : "Run a reconciliation to compare the systems with HR. Findings appear here for a person to decide."
          }
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Findings" minWidth={1040}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Finding</Table.Th>
              <Table.Th scope="col">System and account</Table.Th>
              <Table.Th scope="col">Person</Table.Th>
              <Table.Th scope="col">Seen</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              {canAdmin ? <Table.Th scope="col">Decide</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td maw={300}>
                  <Text size="sm" fw={600}>
                    {FINDING_KIND_LABELS[f.kind]}
                  </Text>
                  <Text size="xs">{FINDING_KIND_HELP[f.kind]}</Text>
                  <Observed f={f} />
                </Table.Td>
                <Table.Td>
                  <AnchorLink to="/access/systems/$id" params={{ id: f.systemId }} size="sm">
                    {f.systemName}
                  </AnchorLink>
                  <Text size="xs">{f.username ?? f.accountRef ?? "—"}</Text>
                </Table.Td>
                <Table.Td>
                  {f.personId ? (
                    <Text size="sm">{f.personName ?? <PersonName personId={f.personId} size="sm" />}</Text>
                  ) : (
                    <Text size="sm" c="dimmed">
                      Nobody
                    </Text>
                  )}
                </Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  <Text size="sm">{formatDateTime(f.lastSeenAt)}</Text>
                  <Text size="xs" c="dimmed">
                    first {formatDateTime(f.firstSeenAt)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <LabelBadge label={FINDING_STATE_LABELS[f.state]} color={FINDING_STATE_COLORS[f.state]} />
                  {f.state === "accepted" ? (
                    <Text size="xs" maw={220}>
                      until {formatDateTime(f.acceptedUntil)}: {f.justification}
                    </Text>
                  ) : null}
                  {f.resolution ? (
                    <Text size="xs" c="dimmed">
                      {f.resolution}
                    </Text>
                  ) : null}
                  {f.fixPlanId ? (
                    <AnchorLink to="/access/plans/$id" params={{ id: f.fixPlanId }} size="xs">
                      The plan fixing it
                    </AnchorLink>
                  ) : null}
                </Table.Td>
                {canAdmin ? (
                  <Table.Td>
                    {decidable(f) ? (
                      <Menu position="bottom-end">
                        <Menu.Target>
                          <Button
                            size="xs"
                            variant="light"
                            aria-label={`Decide: ${FINDING_KIND_LABELS[f.kind]}, ${f.username ?? f.accountRef ?? f.systemName}`}
                          >
                            Decide…
                          </Button>
                        </Menu.Target>
                        <Menu.Dropdown>
                          {[...fixesFor(f.kind), "accept" as const].map((d) => (
                            <Menu.Item key={d} onClick={() => setDeciding({ finding: f, decision: d })}>
                              {DECISION_LABELS[d]}
                            </Menu.Item>
                          ))}
                        </Menu.Dropdown>
                      </Menu>
                    ) : null}
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      <Stack align="center" mt="md">
        <Group>
          {cursors.length > 1 ? (
            <Button variant="default" onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </Button>
          ) : null}
          {findings.data?.nextCursor ? (
            <Button
              variant="default"
              onClick={() => setCursors([...cursors, findings.data?.nextCursor ?? null])}
            >
              Next page
            </Button>
          ) : null}
        </Group>
      </Stack>
      {deciding ? (
        <FindingDecisionModal
          finding={deciding.finding}
          decision={deciding.decision}
          onClose={() => setDeciding(null)}
        />
      ) : null}
    </>
  );
}
