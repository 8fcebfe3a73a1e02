import { Card, EmptyState, Group, Loader, Select, SimpleGrid, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { formatDate } from "../../../components/format";
import { AnchorLink } from "../../../components/links";
import { PageHeader } from "../../../components/PageHeader";
import { ScrollTable } from "../../../components/ScrollTable";
import { departmentsQuery } from "../../org/queries";
import { pct, rate } from "./labels";
import { resultsQuery } from "./queries";
import { RepeatClickers } from "./RepeatClickers";
import type { Results } from "./types";

/** Colours with enough contrast on white. */
const CLICK = "#b3530b";
const REPORT = "#087f6b";
const legendText = (value: string) => <span style={{ color: "#212529" }}>{value}</span>;
const pctTick = (v: number) => `${v} %`;
const pctTip = (v: unknown) => (typeof v === "number" ? `${v} %` : String(v));

const RANGES = [
  { value: "3", label: "Last 3 months" },
  { value: "6", label: "Last 6 months" },
  { value: "12", label: "Last 12 months" },
  { value: "24", label: "Last 24 months" },
];

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

function ByDepartmentChart({ r }: { r: Results }) {
  const data = r.byDepartment.map((d) => ({
    name: d.departmentName ?? "No department",
    click: d.clickRate,
    report: d.reportRate,
  }));
  const summary = r.byDepartment.length
    ? r.byDepartment
        .map(
          (d) =>
            `${d.departmentName ?? "No department"}: clicked ${pct(d.clickRate)}, reported ${pct(d.reportRate)}`,
        )
        .join("; ")
    : "No simulation mail was sent in this period";
  return (
    <ChartCard title="Click rate and report rate per department" summary={summary}>
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="name" tick={{ fontSize: 12 }} />
          <YAxis tickFormatter={pctTick} width={56} tick={{ fontSize: 12 }} />
          <Tooltip formatter={pctTip} />
          <Legend formatter={legendText} />
          <Bar dataKey="click" name="Clicked" fill={CLICK} isAnimationActive={false} />
          <Bar dataKey="report" name="Reported" fill={REPORT} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

function OverTimeChart({ r }: { r: Results }) {
  const data = r.overTime.map((m) => ({
    period: m.period,
    click: m.clickRate,
    report: m.reportRate,
  }));
  const summary = r.overTime.length
    ? r.overTime
        .map((m) => `${m.period}: clicked ${pct(m.clickRate)}, reported ${pct(m.reportRate)}`)
        .join("; ")
    : "No simulation mail was sent in this period";
  return (
    <ChartCard title="Click rate and report rate per month" summary={summary}>
      <ResponsiveContainer>
        <LineChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="period" tick={{ fontSize: 12 }} />
          <YAxis tickFormatter={pctTick} width={56} tick={{ fontSize: 12 }} />
          <Tooltip formatter={pctTip} />
          <Legend formatter={legendText} />
          <Line dataKey="click" name="Clicked" stroke={CLICK} strokeWidth={2} dot connectNulls />
          <Line dataKey="report" name="Reported" stroke={REPORT} strokeWidth={2} dot connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

function Totals({ r }: { r: Results }) {
  const sum = (k: "sent" | "clicked" | "reported") => r.byDepartment.reduce((n, d) => n + d[k], 0);
  const sent = sum("sent");
  const figure = (label: string, value: string, help: string) => (
    <Card withBorder padding="sm">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={28} fw={700}>
        {value}
      </Text>
      <Text size="xs">{help}</Text>
    </Card>
  );
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }} mb="md">
      {figure("Simulation mails delivered", String(sent), `${r.campaigns.length} campaign(s)`)}
      {figure("Click rate", rate(sum("clicked"), sent), `${sum("clicked")} people clicked`)}
      {figure("Report rate", rate(sum("reported"), sent), `${sum("reported")} people reported the mail`)}
    </SimpleGrid>
  );
}

/** Phishing results for Security, HR and auditors: per department, per month, per campaign; repeat clickers. */
export function ResultsPage() {
  const [months, setMonths] = useState("12");
  const [departmentId, setDepartmentId] = useState<string | null>(null);
  const departments = useQuery(departmentsQuery);
  // Days (the API filters campaigns by the day their window starts); stable between renders.
  const { from, to } = useMemo(() => {
    const end = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
    const start = new Date(end);
    start.setUTCMonth(start.getUTCMonth() - Number(months));
    return { from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10) };
  }, [months]);
  const results = useQuery(resultsQuery({ from, to, departmentId: departmentId ?? undefined }));
  const r = results.data;
  return (
    <>
      <PageHeader
        title="Phishing results"
        description="How often simulated phishing was clicked and how often it was reported, per department and over time."
      />
      <Group mb="md" align="flex-end">
        <Select
          label="Period"
          allowDeselect={false}
          data={RANGES}
          value={months}
          onChange={(v) => v && setMonths(v)}
        />
        <Select
          label="Department"
          clearable
          searchable
          placeholder="All departments"
          data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
          value={departmentId}
          onChange={setDepartmentId}
        />
      </Group>
      {results.isPending ? <Loader aria-label="Loading the results" /> : null}
      <ErrorAlert error={results.error} title="Could not load the results" />
      {r ? (
        <>
          <Totals r={r} />
          <SimpleGrid cols={{ base: 1, lg: 2 }} mb="md">
            <ByDepartmentChart r={r} />
            <OverTimeChart r={r} />
          </SimpleGrid>
          <Title order={2} size="h3" mt="lg" mb="sm">
            Campaigns
          </Title>
          {r.campaigns.length ? (
            <ScrollTable label="Campaigns in the period">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Campaign</Table.Th>
                  <Table.Th>Started</Table.Th>
                  <Table.Th>Delivered</Table.Th>
                  <Table.Th>Click rate</Table.Th>
                  <Table.Th>Report rate</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.campaigns.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>
                      <AnchorLink to="/awareness/phishing/campaigns/$id" params={{ id: c.id }}>
                        {c.name}
                      </AnchorLink>
                    </Table.Td>
                    <Table.Td>{formatDate(c.windowStart)}</Table.Td>
                    <Table.Td>{c.sent}</Table.Td>
                    <Table.Td>{pct(c.clickRate)}</Table.Td>
                    <Table.Td>{pct(c.reportRate)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </ScrollTable>
          ) : (
            <EmptyState
              my="lg"
              title="No campaigns in this period"
              description="Schedule a campaign from the campaigns page; results appear as mail is delivered."
            />
          )}
        </>
      ) : null}
      <RepeatClickers />
    </>
  );
}
