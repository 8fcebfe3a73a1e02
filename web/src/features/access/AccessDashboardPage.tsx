import {
  Card,
  EmptyState,
  Group,
  Loader,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { FINDING_KIND_LABELS } from "./governanceLabels";
import { metricsQuery } from "./governanceQueries";
import { formatDuration } from "./labels";
import type { AccessMetrics } from "./types";

const RANGES = { "7": 7, "30": 30, "90": 90 } as const;
type RangeKey = keyof typeof RANGES;

/** Colours with enough contrast on white for thin bars and lines. */
const BLUE = "#1c5fb4";
const ORANGE = "#b3530b";
const TEAL = "#087f6b";
const RED = "#c0262d";

/** Legend words in body colour (the series colours alone are too light for text). */
const legendText = (value: string) => <span style={{ color: "#212529" }}>{value}</span>;

const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 100)} %`);
/** Sub-minute times with a decimal (revocation is often under a second); longer ones as durations. */
function duration(v: number): string {
  if (v < 10) return `${v.toFixed(1)} s`;
  return formatDuration(v);
}
const secs = (v: number | null) => (v === null ? "—" : duration(v));

function Stat({
  label,
  value,
  hint,
  color,
}: {
  label: string;
  value: string;
  hint?: string;
  color?: string;
}) {
  return (
    <Card withBorder padding="md">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={30} fw={700} c={color} style={{ fontVariantNumeric: "tabular-nums" }}>
        {value}
      </Text>
      {hint ? <Text size="xs">{hint}</Text> : null}
    </Card>
  );
}

function ChartCard({
  title,
  summary,
  children,
}: {
  title: string;
  summary: string;
  children: React.ReactNode;
}) {
  const id = `chart-${title.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="xs">
        {title}
      </Title>
      <div role="img" aria-label={summary} style={{ width: "100%", height: 280 }}>
        {children}
      </div>
    </Card>
  );
}

function RevocationBySystem({ m }: { m: AccessMetrics }) {
  const data = m.systems.map((s) => ({ name: s.systemName, p50: s.p50Seconds, p95: s.p95Seconds }));
  const summary = m.systems.length
    ? m.systems
        .map((s) => `${s.systemName}: median ${secs(s.p50Seconds)}, 95th percentile ${secs(s.p95Seconds)}`)
        .join("; ")
    : "No leaver was revoked in this range";
  return (
    <ChartCard title="Time to verified revocation per system" summary={summary}>
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="name" tick={{ fontSize: 12 }} />
          <YAxis tickFormatter={(v: number) => duration(v)} width={80} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(v) => (typeof v === "number" ? duration(v) : String(v))} />
          <Legend formatter={legendText} />
          <Bar dataKey="p50" name="Median (p50)" fill={BLUE} />
          <Bar dataKey="p95" name="95th percentile" fill={ORANGE} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

function SlaOverTime({ m }: { m: AccessMetrics }) {
  const data = m.daily.map((d) => ({
    day: d.day.slice(5),
    compliance: d.compliance === null ? null : Math.round(d.compliance * 1000) / 10,
    leavers: d.leavers,
  }));
  const decided = m.daily.filter((d) => d.compliance !== null);
  const summary = decided.length
    ? `${decided.length} days with leavers; ${decided.filter((d) => d.compliance === 1).length} of them fully within the SLA`
    : "No leavers in this range";
  return (
    <ChartCard
      title={`Offboarding SLA compliance per day (within ${m.sla.slaMinutes} min)`}
      summary={summary}
    >
      <ResponsiveContainer>
        <ComposedChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" tick={{ fontSize: 12 }} />
          <YAxis yAxisId="pct" domain={[0, 100]} unit=" %" width={56} tick={{ fontSize: 12 }} />
          <YAxis yAxisId="n" orientation="right" allowDecimals={false} width={40} tick={{ fontSize: 12 }} />
          <Tooltip />
          <Legend formatter={legendText} />
          <Bar yAxisId="n" dataKey="leavers" name="Leavers" fill="#adb5bd" />
          <Line
            yAxisId="pct"
            dataKey="compliance"
            name="Within SLA (%)"
            stroke={TEAL}
            strokeWidth={2}
            connectNulls
            dot
          />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

function OpenFindings({ m }: { m: AccessMetrics }) {
  const data = m.findings.byKind.map((k) => ({ name: FINDING_KIND_LABELS[k.kind], open: k.open }));
  const summary = m.findings.open
    ? m.findings.byKind
        .filter((k) => k.open)
        .map((k) => `${FINDING_KIND_LABELS[k.kind]}: ${k.open}`)
        .join("; ")
    : "No open findings";
  return (
    <ChartCard title="Open reconciliation findings" summary={summary}>
      <ResponsiveContainer>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, left: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
          <YAxis type="category" dataKey="name" width={170} tick={{ fontSize: 12 }} />
          <Tooltip />
          <Bar dataKey="open" name="Open" fill={RED} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

/** Access at a glance: how fast leavers lose access per system, SLA compliance, open findings. */
export function AccessDashboardPage() {
  const [range, setRange] = useState<RangeKey>("30");
  // The range ends at the current minute, so the query key stays put between renders.
  const { from, to } = useMemo(() => {
    const end = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    return {
      to: end.toISOString(),
      from: new Date(end.getTime() - RANGES[range] * 86_400_000).toISOString(),
    };
  }, [range]);
  const metrics = useQuery(metricsQuery(from, to));
  const m = metrics.data;

  return (
    <>
      <PageHeader
        title="Access dashboard"
        description="From the HR event to the verified revocation, per system; whether leavers lost their access within the SLA; what reconciliation found."
      />
      <Group mb="md" justify="space-between">
        <SegmentedControl
          aria-label="Range"
          value={range}
          onChange={(v) => setRange(v === "7" || v === "90" ? v : "30")}
          data={[
            { value: "7", label: "7 days" },
            { value: "30", label: "30 days" },
            { value: "90", label: "90 days" },
          ]}
        />
        {m ? (
          <Text size="xs" c="dimmed">
            Leavers whose HR event was between {formatDateTime(m.from)} and {formatDateTime(m.to)}
          </Text>
        ) : null}
      </Group>
      {metrics.isPending ? <Loader aria-label="Loading the metrics" /> : null}
      <ErrorAlert error={metrics.error} title="Could not load the metrics" />
      {m ? (
        <Stack gap="lg">
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            <Stat
              label="Within the SLA"
              value={pct(m.sla.compliance)}
              hint={`${m.sla.withinSla} of ${m.sla.withinSla + m.sla.breached} leavers in ${m.sla.slaMinutes} min`}
              color={m.sla.compliance === null ? undefined : m.sla.compliance >= 0.95 ? "teal.9" : "red.9"}
            />
            <Stat
              label="Leavers"
              value={String(m.sla.leavers)}
              hint={`${m.sla.pending} still being revoked`}
            />
            <Stat
              label="Late"
              value={String(m.sla.breached)}
              color={m.sla.breached ? "red.9" : undefined}
              hint="revoked late or still open past the SLA"
            />
            <Stat label="Open findings" value={String(m.findings.open)} hint="from reconciliation" />
          </SimpleGrid>
          {m.sla.leavers === 0 && m.findings.open === 0 ? (
            <EmptyState
              title="Nothing to measure yet"
              description="Figures appear once leavers are carried out by Tandem (HR records a termination) and reconciliation has run. Try a longer range."
            />
          ) : null}
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
            <RevocationBySystem m={m} />
            <SlaOverTime m={m} />
            <OpenFindings m={m} />
            <Card withBorder padding="md" component="section" aria-labelledby="per-system-title">
              <Title order={2} size="h4" id="per-system-title" mb="xs">
                Per system
              </Title>
              {m.systems.length ? (
                <ScrollTable label="Revocation time per system" minWidth={400}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">System</Table.Th>
                      <Table.Th scope="col">Revoked</Table.Th>
                      <Table.Th scope="col">Open</Table.Th>
                      <Table.Th scope="col">p50</Table.Th>
                      <Table.Th scope="col">p95</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {m.systems.map((s) => (
                      <Table.Tr key={s.systemId}>
                        <Table.Td>
                          <AnchorLink to="/access/systems/$id" params={{ id: s.systemId }}>
                            {s.systemName}
                          </AnchorLink>
                        </Table.Td>
                        <Table.Td>{s.revoked}</Table.Td>
                        <Table.Td>{s.pending}</Table.Td>
                        <Table.Td>{secs(s.p50Seconds)}</Table.Td>
                        <Table.Td>{secs(s.p95Seconds)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </ScrollTable>
              ) : (
                <Text size="sm" c="dimmed">
                  No leaver had access revoked in this range.
                </Text>
              )}
              <Group mt="sm" gap="md">
                <AnchorLink to="/access/findings" size="sm">
                  Open findings
                </AnchorLink>
                <AnchorLink to="/access/plans" search={{ state: "failed" }} size="sm">
                  Failed plans
                </AnchorLink>
              </Group>
            </Card>
          </SimpleGrid>
        </Stack>
      ) : null}
    </>
  );
}
