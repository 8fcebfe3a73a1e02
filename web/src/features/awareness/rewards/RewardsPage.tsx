import {
  Badge,
  Card,
  EmptyState,
  Group,
  Loader,
  Pagination,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, expectData } from "../../../api/client";
import { ErrorAlert, fieldError } from "../../../components/ErrorAlert";
import { formatDate } from "../../../components/format";
import { PageHeader } from "../../../components/PageHeader";
import { ScrollTable } from "../../../components/ScrollTable";
import { currentPeriod, leaderboardQuery, myRewardsQuery, rewardsKey } from "./queries";
import type { LeaderboardQuery, MyObjective, MyRewards } from "./types";

const HISTORY_PAGE = 15;

function Figure({ label, value }: { label: string; value: number }) {
  return (
    <Card withBorder padding="md">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={28} fw={700}>
        {value}
      </Text>
    </Card>
  );
}

export function objectiveValue(o: Pick<MyObjective, "metric" | "value" | "target">): string {
  if (o.metric === "training_completed" || o.metric === "policies_acknowledged")
    return `${o.value} of ${o.target}`;
  if (o.metric === "no_clicks") return `${o.value} click(s), at most ${o.target}`;
  return `${o.value} of at least ${o.target}`;
}

function MyObjectives({ data }: { data: MyRewards }) {
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        My objectives for {data.period}
      </Title>
      {data.objectives.length === 0 ? (
        <Text c="dimmed">HR has set no security objectives for you in this review period yet.</Text>
      ) : (
        data.objectives.map((o) => (
          <Card key={o.id} withBorder padding="sm">
            <Group justify="space-between" wrap="nowrap">
              <Stack gap={0}>
                <Text fw={600}>{o.title}</Text>
                <Text size="sm" c="dimmed">
                  {o.metricLabel} · {objectiveValue(o)}
                  {o.team ? ` · ${o.team.met} of ${o.team.people} in the department meet it` : ""}
                </Text>
              </Stack>
              <Badge color={o.met ? "green" : "gray"} variant="light">
                {o.met ? "Met" : "Not yet"}
              </Badge>
            </Group>
          </Card>
        ))
      )}
    </Stack>
  );
}

function History({ data }: { data: MyRewards }) {
  const [filter, setFilter] = useState("");
  const [kind, setKind] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const needle = filter.trim().toLowerCase();
  const rows = data.history.filter(
    (e) =>
      (!kind || e.kind === kind) && (!needle || `${e.label} ${e.kindLabel}`.toLowerCase().includes(needle)),
  );
  const kinds = [...new Map(data.history.map((e) => [e.kind, e.kindLabel])).entries()];
  const pages = Math.max(1, Math.ceil(rows.length / HISTORY_PAGE));
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        My points history
      </Title>
      <Group align="flex-end">
        <TextInput
          label="Search"
          placeholder="What earned it"
          value={filter}
          onChange={(e) => {
            setFilter(e.currentTarget.value);
            setPage(1);
          }}
        />
        <Select
          label="Kind"
          clearable
          data={kinds.map(([value, label]) => ({ value, label }))}
          value={kind}
          onChange={(v) => {
            setKind(v);
            setPage(1);
          }}
        />
      </Group>
      {rows.length === 0 ? (
        <EmptyState
          my="md"
          title="No points here yet"
          description="Complete your training, acknowledge policies, and report suspicious mails or near misses to earn points."
        />
      ) : (
        <>
          <ScrollTable label="My points history" minWidth={560}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>For</Table.Th>
                <Table.Th>Points</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.slice((page - 1) * HISTORY_PAGE, page * HISTORY_PAGE).map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{formatDate(e.earnedAt)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{e.kindLabel}</Text>
                    <Text size="xs" c="dimmed">
                      {e.label}
                    </Text>
                  </Table.Td>
                  <Table.Td>+{e.points}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ScrollTable>
          {pages > 1 ? (
            <Pagination total={pages} value={page} onChange={setPage} aria-label="History pages" />
          ) : null}
        </>
      )}
    </Stack>
  );
}

function Leaderboards() {
  const [q, setQ] = useState<LeaderboardQuery>({ by: "department", span: "quarter" });
  const customReady = q.span !== "custom" || (!!q.from && !!q.to);
  const board = useQuery({ ...leaderboardQuery(q), enabled: customReady });
  const b = board.data;
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        Leaderboards
      </Title>
      <Group align="flex-end">
        <SegmentedControl
          aria-label="Rank"
          value={q.by ?? "department"}
          onChange={(v) => setQ({ ...q, by: v as "department" | "team" })}
          data={[
            { value: "department", label: "Departments" },
            { value: "team", label: "Teams" },
          ]}
        />
        <Select
          label="Period"
          value={q.span ?? "quarter"}
          onChange={(v) => setQ({ ...q, span: (v ?? "quarter") as LeaderboardQuery["span"] })}
          data={[
            { value: "quarter", label: "This quarter" },
            { value: "year", label: "This year" },
            { value: "custom", label: "From … to …" },
          ]}
          allowDeselect={false}
        />
        {q.span === "custom" ? (
          <>
            <TextInput
              type="date"
              label="From"
              value={q.from ?? ""}
              onChange={(e) => setQ({ ...q, from: e.currentTarget.value || undefined })}
              error={fieldError(board.error, "from")}
            />
            <TextInput
              type="date"
              label="To"
              value={q.to ?? ""}
              onChange={(e) => setQ({ ...q, to: e.currentTarget.value || undefined })}
              error={fieldError(board.error, "to")}
            />
          </>
        ) : null}
      </Group>
      {board.isFetching && !b ? <Loader aria-label="Loading the leaderboard" /> : null}
      <ErrorAlert error={board.error} title="Could not load the leaderboard" />
      {b ? (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Stack gap="xs">
            <Text size="sm" c="dimmed">
              Points per head of everyone at work in the {q.by === "team" ? "team" : "department"}
              {b.hiddenGroups
                ? `; ${b.hiddenGroups} group(s) with fewer than ${b.minGroup} people are not shown, so no one's points can be told.`
                : "."}
            </Text>
            {b.groups.length === 0 ? (
              <Text c="dimmed">
                No {q.by === "team" ? "team" : "department"} is large enough to show yet.
              </Text>
            ) : (
              <ScrollTable
                label={q.by === "team" ? "Team leaderboard" : "Department leaderboard"}
                minWidth={420}
              >
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    <Table.Th>{q.by === "team" ? "Team" : "Department"}</Table.Th>
                    <Table.Th>People</Table.Th>
                    <Table.Th>Per head</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {b.groups.map((g) => (
                    <Table.Tr key={g.groupId ?? "none"} fw={g.mine ? 700 : undefined}>
                      <Table.Td>{g.rank}</Table.Td>
                      <Table.Td>
                        {g.name}
                        {g.mine ? (
                          <Badge ml="xs" size="xs" variant="light">
                            yours
                          </Badge>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{g.heads}</Table.Td>
                      <Table.Td>{g.perHead}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </ScrollTable>
            )}
          </Stack>
          <Stack gap="xs">
            <Text size="sm" c="dimmed">
              People who chose to be named.{" "}
              {b.me.linked
                ? b.me.rank
                  ? `You are number ${b.me.rank} with ${b.me.points} points.`
                  : `You have ${b.me.points} points in this period.`
                : ""}
            </Text>
            {b.individuals.length === 0 ? (
              <Text c="dimmed">Nobody has chosen to be named yet.</Text>
            ) : (
              <ScrollTable label="People leaderboard" minWidth={420}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Department</Table.Th>
                    <Table.Th>Points</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {b.individuals.map((p) => (
                    <Table.Tr key={`${p.rank}-${p.name}`} fw={p.me ? 700 : undefined}>
                      <Table.Td>{p.rank}</Table.Td>
                      <Table.Td>{p.name}</Table.Td>
                      <Table.Td>{p.department ?? "—"}</Table.Td>
                      <Table.Td>{p.points}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </ScrollTable>
            )}
          </Stack>
        </SimpleGrid>
      ) : null}
    </Stack>
  );
}

/** Every signed-in person: my points and their history, my leaderboard choice, leaderboards and my objectives. */
export function RewardsPage() {
  const qc = useQueryClient();
  const mine = useQuery(myRewardsQuery(currentPeriod()));
  const optIn = useMutation({
    mutationFn: async (leaderboardOptIn: boolean) =>
      expectData(await api.PUT("/api/v1/awareness/me/rewards", { body: { leaderboardOptIn } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: rewardsKey }),
  });
  const data = mine.data;
  return (
    <>
      <PageHeader
        title="Rewards"
        description="Points for what you do for security: training, policies, reported phishing and near misses."
      />
      {mine.isPending ? <Loader aria-label="Loading your points" /> : null}
      <ErrorAlert error={mine.error ?? optIn.error} title="Could not load or change your rewards" />
      {data && !data.linked ? (
        <EmptyState
          my="xl"
          title="Your sign-in is not linked to an HR record"
          description="Points are kept on your HR record. Ask HR to link your work email to it. You can still see the leaderboards below."
        />
      ) : null}
      <Stack gap="xl">
        {data?.linked ? (
          <>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Figure label="This quarter" value={data.thisQuarter} />
              <Figure label="This year" value={data.thisYear} />
              <Figure label="All time" value={data.total} />
            </SimpleGrid>
            <Switch
              label="Show my name and points on the people leaderboard"
              description="Off: your points still count for your department and team, but your name is never shown."
              checked={data.leaderboardOptIn}
              disabled={optIn.isPending}
              onChange={(e) => optIn.mutate(e.currentTarget.checked)}
            />
            <MyObjectives data={data} />
          </>
        ) : null}
        <Leaderboards />
        {data?.linked ? <History data={data} /> : null}
      </Stack>
    </>
  );
}
