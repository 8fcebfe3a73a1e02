import { EmptyState, Group, Loader, Table, TextInput } from "@mantine/core";
import type { ReactNode } from "react";
import { ErrorAlert } from "../../components/ErrorAlert";
import { ScrollTable } from "../../components/ScrollTable";

interface OrgTableProps<T> {
  /** "departments", "job roles", … */
  noun: string;
  items: T[] | undefined;
  pending: boolean;
  error: unknown;
  search: string;
  onSearch: (value: string) => void;
  columns: string[];
  row: (item: T) => ReactNode;
  empty: ReactNode;
  minWidth?: number;
}

/** The list part of an org page: a search box over the (small, fully loaded) list and its table. */
export function OrgTable<T>(props: OrgTableProps<T>) {
  const items = props.items ?? [];
  return (
    <>
      <Group mb="md" align="flex-end">
        <TextInput
          label={`Search ${props.noun}`}
          type="search"
          value={props.search}
          onChange={(event) => props.onSearch(event.currentTarget.value)}
          w={300}
        />
      </Group>
      {props.pending ? <Loader aria-label={`Loading ${props.noun}`} /> : null}
      <ErrorAlert error={props.error} title={`Could not load ${props.noun}`} />
      {props.items && items.length === 0 ? (
        props.search ? (
          <EmptyState
            my="xl"
            title="Nothing matches"
            description={`No ${props.noun} contain "${props.search}".`}
          />
        ) : (
          props.empty
        )
      ) : null}
      {items.length > 0 ? (
        <ScrollTable
          label={props.noun[0]?.toUpperCase() + props.noun.slice(1)}
          minWidth={props.minWidth ?? 640}
        >
          <Table.Thead>
            <Table.Tr>
              {props.columns.map((c) => (
                <Table.Th key={c} scope="col">
                  {c}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{items.map(props.row)}</Table.Tbody>
        </ScrollTable>
      ) : null}
    </>
  );
}

/** Case-insensitive "contains" over a few text fields. */
export function matches(search: string, ...fields: (string | null | undefined)[]): boolean {
  const q = search.trim().toLowerCase();
  return !q || fields.some((f) => f?.toLowerCase().includes(q));
}
