import { Group, Pagination, Text } from "@mantine/core";
import { PAGE_SIZE } from "./queries";

export function Pager({
  page,
  total,
  onChange,
}: {
  page: number;
  total: number;
  onChange: (p: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <Group justify="space-between" mt="sm">
      <Text size="sm" c="dimmed">
        {total} in all
      </Text>
      {pages > 1 ? (
        <Pagination total={pages} value={page + 1} onChange={(p) => onChange(p - 1)} aria-label="Pages" />
      ) : null}
    </Group>
  );
}
