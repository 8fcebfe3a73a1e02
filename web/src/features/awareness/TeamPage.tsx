import { EmptyState, Group, Loader, Select, Table, TextInput, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { AssignmentsTable } from "./AssignmentsTable";
import { Pager } from "./Pager";
import { teamQuery } from "./queries";

type Status = "open" | "done" | "closed" | "overdue";

/** Managers: their direct reports' training and policies, and who needs a nudge. */
export function TeamPage() {
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<Status>("overdue");
  const [page, setPage] = useState(0);
  const team = useQuery(teamQuery({ q: q.trim() || undefined, status }, page));
  const d = team.data;
  return (
    <>
      <PageHeader
        title="My team's training"
        description="Your direct reports' policies and training: who is done, and who needs a nudge."
      />
      {team.isPending ? <Loader aria-label="Loading your team" /> : null}
      <ErrorAlert error={team.error} title="Could not load your team" />
      {d && !d.linked ? (
        <EmptyState
          my="xl"
          title="Your sign-in is not linked to an HR record"
          description="Ask HR to link your work email to your record; your reports then show here."
        />
      ) : null}
      {d?.linked && d.members.length === 0 ? (
        <EmptyState
          my="xl"
          title="No direct reports"
          description="People whose HR record names you as their manager appear here."
        />
      ) : null}
      {d?.linked && d.members.length ? (
        <>
          <ScrollTable label="Direct reports" minWidth={480}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Person</Table.Th>
                <Table.Th>Open</Table.Th>
                <Table.Th>Overdue</Table.Th>
                <Table.Th>Done</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.members.map((m) => (
                <Table.Tr key={m.personId}>
                  <Table.Td>{m.name}</Table.Td>
                  <Table.Td>{m.open}</Table.Td>
                  <Table.Td>{m.overdue}</Table.Td>
                  <Table.Td>{m.done}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ScrollTable>
          <Title order={2} size="h3" mt="xl" mb="sm">
            Items
          </Title>
          <Group mb="md" align="flex-end">
            <TextInput
              label="Person"
              value={q}
              onChange={(e) => {
                setQ(e.currentTarget.value);
                setPage(0);
              }}
            />
            <Select
              label="Status"
              data={[
                { value: "overdue", label: "Overdue" },
                { value: "open", label: "Open" },
                { value: "done", label: "Done" },
              ]}
              value={status}
              onChange={(v) => {
                setStatus((v ?? "overdue") as Status);
                setPage(0);
              }}
            />
          </Group>
          {d.items.length ? (
            <>
              <AssignmentsTable items={d.items} label="Team items" />
              <Pager page={page} total={d.total} onChange={setPage} />
            </>
          ) : (
            <EmptyState
              my="lg"
              title="Nothing here"
              description={status === "overdue" ? "Nobody in your team is overdue." : "No items match."}
            />
          )}
        </>
      ) : null}
    </>
  );
}
