import { Card, SimpleGrid, Table, Text, Title } from "@mantine/core";
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, XAxis, YAxis } from "recharts";
import { ScrollTable } from "../../../components/ScrollTable";
import { rate } from "./labels";
import type { Campaign } from "./types";

const COLORS = {
  sent: "#1c5fb4",
  opened: "#5f3dc4",
  clicked: "#b3530b",
  submitted: "#c0262d",
  reported: "#087f6b",
};

function Figure({ label, value, help }: { label: string; value: string | number; help?: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={26} fw={700} style={{ fontVariantNumeric: "tabular-nums" }}>
        {value}
      </Text>
      {help ? <Text size="xs">{help}</Text> : null}
    </Card>
  );
}

/** Sent → opened → clicked → submitted, and reported, as figures and as a bar chart. */
export function Funnel({ campaign }: { campaign: Campaign }) {
  const c = campaign.counts;
  const of = (n: number) => rate(n, c.sent);
  const steps = [
    { key: "sent", label: "Sent", value: c.sent },
    { key: "opened", label: "Opened", value: c.opened },
    { key: "clicked", label: "Clicked", value: c.clicked },
    { key: "submitted", label: "Submitted", value: c.submitted },
    { key: "reported", label: "Reported", value: c.reported },
  ] as const;
  const summary = steps.map((s) => `${s.label} ${s.value}`).join(", ");
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="funnel-title" mb="md">
      <Title order={2} size="h4" id="funnel-title" mb="sm">
        Funnel
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} mb="md">
        <Figure
          label="Recipients"
          value={c.recipients}
          help={`${c.pending + c.sending} waiting, ${c.failed} failed, ${c.uncertain} uncertain, ${c.dropped} dropped`}
        />
        <Figure label="Sent" value={c.sent} />
        <Figure label="Opened" value={c.opened} help={`${of(c.opened)} of sent (images may be blocked)`} />
        <Figure label="Clicked" value={c.clicked} help={`${of(c.clicked)} of sent`} />
        <Figure label="Submitted" value={c.submitted} help={`${of(c.submitted)} of sent`} />
        <Figure label="Reported" value={c.reported} help={`${of(c.reported)} of sent`} />
      </SimpleGrid>
      <div role="img" aria-label={`Funnel: ${summary}`} style={{ width: "100%", height: 220 }}>
        <ResponsiveContainer>
          <BarChart data={[...steps]} layout="vertical" margin={{ top: 4, right: 40, left: 8, bottom: 4 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
            <YAxis type="category" dataKey="label" width={90} tick={{ fontSize: 12 }} />
            <Bar dataKey="value" name="People" isAnimationActive={false}>
              {steps.map((s) => (
                <Cell key={s.key} fill={COLORS[s.key]} />
              ))}
              <LabelList dataKey="value" position="right" fill="#212529" fontSize={12} />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
    </Card>
  );
}

interface DeptRow {
  departmentName: string | null;
  recipients: number;
  sent: number;
  opened: number;
  clicked: number;
  submitted: number;
  reported: number;
}

/** Per department of this campaign (the department when the mail was planned). */
export function DepartmentTable({ rows }: { rows: DeptRow[] }) {
  return (
    <ScrollTable label="Per department">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Department</Table.Th>
          <Table.Th>Recipients</Table.Th>
          <Table.Th>Sent</Table.Th>
          <Table.Th>Opened</Table.Th>
          <Table.Th>Clicked</Table.Th>
          <Table.Th>Submitted</Table.Th>
          <Table.Th>Reported</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((d) => (
          <Table.Tr key={d.departmentName ?? ""}>
            <Table.Td>{d.departmentName ?? "No department"}</Table.Td>
            <Table.Td>{d.recipients}</Table.Td>
            <Table.Td>{d.sent}</Table.Td>
            <Table.Td>{d.opened}</Table.Td>
            <Table.Td>
              {d.clicked} ({rate(d.clicked, d.sent)})
            </Table.Td>
            <Table.Td>{d.submitted}</Table.Td>
            <Table.Td>
              {d.reported} ({rate(d.reported, d.sent)})
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </ScrollTable>
  );
}
