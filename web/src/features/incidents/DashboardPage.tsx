import { Card, Group, Loader, Select, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { dashboardQuery } from "./queries";

const RANGES = [
  { value: "30", label: "Last 30 days" },
  { value: "90", label: "Last 90 days" },
  { value: "365", label: "Last 12 months" },
];

function minutes(m: number | null): string {
  if (m === null) return "—";
  if (m < 90) return `${Math.round(m)} min`;
  if (m < 48 * 60) return `${(m / 60).toFixed(1)} h`;
  return `${(m / 1440).toFixed(1)} days`;
}

function Figure({ label, value, help }: { label: string; value: string; help?: string }) {
  return (
    <Card withBorder>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={28} fw={700}>
        {value}
      </Text>
      {help ? (
        <Text size="xs" c="dimmed">
          {help}
        </Text>
      ) : null}
    </Card>
  );
}

function Chart({
  title,
  data,
  color = "#1c7ed6",
}: {
  title: string;
  data: { key: string; count: number }[];
  color?: string;
}) {
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        {title}
      </Title>
      {data.length ? (
        <figure
          aria-label={`${title}: ${data.map((d) => `${d.key} ${d.count}`).join(", ")}`}
          style={{ margin: 0 }}
        >
          <ResponsiveContainer width="100%" height={240}>
            <BarChart data={data} margin={{ left: 0, right: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="key" tick={{ fontSize: 12 }} />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Bar dataKey="count" fill={color} name="Count" />
            </BarChart>
          </ResponsiveContainer>
        </figure>
      ) : (
        <Text c="dimmed">Nothing in this period.</Text>
      )}
    </Card>
  );
}

/** Incident and report metrics: response times, volumes, deadlines met, where reports come from. */
export function DashboardPage() {
  const [days, setDays] = useState("90");
  const from = new Date(Date.now() - Number(days) * 86_400_000);
  from.setUTCHours(0, 0, 0, 0);
  const d = useQuery(dashboardQuery(from.toISOString()));
  return (
    <>
      <PageHeader
        title="Incident dashboard"
        description="How fast incidents are acknowledged, contained and closed; regulatory deadlines met; what people report."
        actions={
          <Select
            aria-label="Period"
            data={RANGES}
            value={days}
            allowDeselect={false}
            onChange={(v) => v && setDays(v)}
          />
        }
      />
      {d.isPending ? <Loader aria-label="Loading the dashboard" /> : null}
      <ErrorAlert error={d.error} title="Could not load the dashboard" />
      {d.data ? (
        <Stack>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            <Figure
              label="Incidents"
              value={String(d.data.incidents.total)}
              help={`${d.data.incidents.open} not closed`}
            />
            <Figure
              label="Median time to acknowledge"
              value={minutes(d.data.incidents.medianMinutes.acknowledge)}
            />
            <Figure label="Median time to contain" value={minutes(d.data.incidents.medianMinutes.contain)} />
            <Figure label="Median time to close" value={minutes(d.data.incidents.medianMinutes.close)} />
            <Figure
              label="Regulatory deadlines met"
              value={`${d.data.deadlines.met} of ${d.data.deadlines.met + d.data.deadlines.missed}`}
              help={`${d.data.deadlines.running} running, ${d.data.deadlines.notRequired} not required`}
            />
            <Figure
              label="Post-mortem actions open"
              value={String(d.data.actions.open)}
              help={`${d.data.actions.overdue} overdue, ${d.data.actions.done} done`}
            />
            <Figure
              label="Reports"
              value={String(d.data.reports.total)}
              help={`median ${minutes(d.data.reports.medianAcknowledgeMinutes)} to acknowledge`}
            />
            <Figure
              label="Near-miss share"
              value={`${Math.round(d.data.reports.nearMissShare * 100)} %`}
              help="Near misses reported are a sign of a healthy culture"
            />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Chart title="Incidents by severity" data={d.data.incidents.bySeverity} color="#e8590c" />
            <Chart title="Incidents opened per month" data={d.data.incidents.byMonth} />
            <Chart title="Reports by category" data={d.data.reports.byCategory} color="#2b8a3e" />
            <Chart title="Reports by department" data={d.data.reports.byDepartment} color="#5f3dc4" />
          </SimpleGrid>
          <Group>
            <Text size="sm" c="dimmed">
              Period from {new Date(d.data.from).toLocaleDateString()} to{" "}
              {new Date(d.data.to).toLocaleDateString()}.
            </Text>
          </Group>
        </Stack>
      ) : null}
    </>
  );
}
