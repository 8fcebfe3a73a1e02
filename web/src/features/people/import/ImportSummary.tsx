import { Badge, Card, SimpleGrid, Stack, Table, Text } from "@mantine/core";
import { ScrollTable } from "../../../components/ScrollTable";
import type { ImportCounts, ImportResult } from "../types";

const COUNTS: { key: keyof ImportCounts; label: string; color?: string }[] = [
  { key: "creates", label: "New people" },
  { key: "updates", label: "Updates" },
  { key: "moves", label: "Moves" },
  { key: "terminations", label: "Terminations", color: "orange.9" },
  { key: "unchanged", label: "Unchanged" },
  { key: "errors", label: "Errors", color: "red.9" },
];

export function CountsGrid({ counts, label }: { counts: ImportCounts; label: string }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }} spacing="sm" role="list" aria-label={label}>
      {COUNTS.map(({ key, label: name, color }) => (
        <Card key={key} withBorder padding="sm" role="listitem">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {name}
          </Text>
          <Text size="xl" fw={700} c={counts[key] > 0 ? color : undefined}>
            {counts[key].toLocaleString()}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}

/** Every problem with line, field and message (the server returns up to 1,000; counts are complete). */
export function ErrorTable({ result }: { result: ImportResult }) {
  if (result.errors.length === 0) return null;
  return (
    <Stack gap="xs">
      <Text fw={600} c="red.9">
        {result.counts.errors.toLocaleString()} error{result.counts.errors === 1 ? "" : "s"}: nothing will be
        imported until the file is fixed.
        {result.errorsTruncated ? ` The first ${result.errors.length.toLocaleString()} are listed.` : ""}
      </Text>
      <ScrollTable label="Errors in the file" minWidth={600}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Line</Table.Th>
            <Table.Th scope="col">Field</Table.Th>
            <Table.Th scope="col">Employee no.</Table.Th>
            <Table.Th scope="col">Problem</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {result.errors.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list; one line can have two errors on one field
            <Table.Tr key={`${e.line}-${e.field ?? ""}-${i}`}>
              <Table.Td>{e.line}</Table.Td>
              <Table.Td>{e.field ?? "—"}</Table.Td>
              <Table.Td>{e.employeeNumber ?? "—"}</Table.Td>
              <Table.Td>{e.message}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ScrollTable>
    </Stack>
  );
}

const ACTION_COLORS: Record<string, string> = {
  create: "teal",
  update: "blue",
  move: "grape",
  terminate: "orange",
  unchanged: "gray",
  skip: "gray",
};

/** The first rows that change something, with what changes. */
export function ChangesTable({ result, max = 100 }: { result: ImportResult; max?: number }) {
  if (result.items.length === 0) return null;
  const rows = result.items.slice(0, max);
  return (
    <Stack gap="xs">
      <Text size="sm">
        {rows.length < result.items.length || result.itemsTruncated
          ? `The first ${rows.length} changes:`
          : "What changes:"}
      </Text>
      <ScrollTable label="Changes the import makes" minWidth={700}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Line</Table.Th>
            <Table.Th scope="col">Employee no.</Table.Th>
            <Table.Th scope="col">Action</Table.Th>
            <Table.Th scope="col">Changes</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((item) => (
            <Table.Tr key={`${item.line}-${item.employeeNumber}`}>
              <Table.Td>{item.line}</Table.Td>
              <Table.Td>{item.employeeNumber}</Table.Td>
              <Table.Td>
                <Badge variant="light" radius="sm" color={ACTION_COLORS[item.action] ?? "gray"}>
                  {item.action}
                </Badge>
              </Table.Td>
              <Table.Td>
                {Object.entries(item.changes)
                  .map(([field, c]) => `${field}: ${c.from ?? "—"} → ${c.to ?? "—"}`)
                  .join("; ") ||
                  item.note ||
                  "—"}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ScrollTable>
    </Stack>
  );
}
