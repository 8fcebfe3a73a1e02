import { Badge, Table, Text } from "@mantine/core";
import { ScrollTable } from "../../components/ScrollTable";
import { DueBadge } from "./badges";
import type { AssignmentRow } from "./types";

const LEVELS = ["", "person reminded", "manager told", "HR told"];

/** Assignments with their people: the nudge list of the compliance and team pages. */
export function AssignmentsTable({ items, label }: { items: AssignmentRow[]; label: string }) {
  return (
    <ScrollTable label={label}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Person</Table.Th>
          <Table.Th>Department</Table.Th>
          <Table.Th>Item</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Escalation</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((a) => (
          <Table.Tr key={a.assignmentId}>
            <Table.Td>
              <Text size="sm" fw={600}>
                {a.personName}
              </Text>
              {a.managerName ? (
                <Text size="xs" c="dimmed">
                  Manager: {a.managerName}
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td>{a.departmentName ?? "—"}</Table.Td>
            <Table.Td>
              <Text size="sm">
                {a.itemType === "policy" ? `Policy v${a.policyVersion}` : "Training"}: {a.title}
              </Text>
              <Text size="xs" c="dimmed">
                {a.reason}
              </Text>
            </Table.Td>
            <Table.Td>
              <DueBadge status={a.status} dueAt={a.dueAt} overdue={a.overdue} />
              {a.overdue ? <Text size="xs">{a.daysOverdue} day(s) late</Text> : null}
            </Table.Td>
            <Table.Td>
              {a.escalationLevel ? (
                <Badge color="orange" variant="light" radius="sm">
                  {LEVELS[a.escalationLevel]}
                </Badge>
              ) : (
                "—"
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </ScrollTable>
  );
}
