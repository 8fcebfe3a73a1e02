import { Button, EmptyState, Table } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../app/session";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { DepartmentModal } from "./DepartmentModal";
import { matches, OrgTable } from "./OrgTable";
import { departmentsQuery } from "./queries";
import type { Department } from "./types";

export function DepartmentsPage() {
  const canWrite = useCan("org:write");
  const list = useQuery(departmentsQuery);
  const [search, setSearch] = useState("");
  const [editing, setEditing] = useState<Department | "new" | null>(null);
  const all = list.data ?? [];
  const names = new Map(all.map((d) => [d.id, d.name]));
  const shown = list.data?.filter((d) => matches(search, d.name, d.headName, names.get(d.parentId ?? "")));

  return (
    <>
      <PageHeader
        title="Departments"
        description="The organisation's departments, who heads them and how many people work in each."
        actions={canWrite ? <Button onClick={() => setEditing("new")}>Add department</Button> : undefined}
      />
      <OrgTable
        noun="departments"
        items={shown}
        pending={list.isPending}
        error={list.error}
        search={search}
        onSearch={setSearch}
        columns={["Name", "Part of", "Head", "Headcount", ...(canWrite ? ["Actions"] : [])]}
        empty={
          <EmptyState
            my="xl"
            title="No departments yet"
            description="Add departments here, or let a CSV import create the ones your file names."
          />
        }
        row={(d) => (
          <Table.Tr key={d.id}>
            <Table.Td>{d.name}</Table.Td>
            <Table.Td>{d.parentId ? (names.get(d.parentId) ?? "—") : "—"}</Table.Td>
            <Table.Td>
              {d.headPersonId ? (
                <AnchorLink to="/people/$id" params={{ id: d.headPersonId }}>
                  {d.headName ?? "Head"}
                </AnchorLink>
              ) : (
                "—"
              )}
            </Table.Td>
            <Table.Td>
              <AnchorLink
                to="/people"
                search={{ departmentId: d.id }}
                aria-label={`${d.headcount} people in ${d.name}`}
              >
                {d.headcount}
              </AnchorLink>
            </Table.Td>
            {canWrite ? (
              <Table.Td>
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => setEditing(d)}
                  aria-label={`Edit ${d.name}`}
                >
                  Edit
                </Button>
              </Table.Td>
            ) : null}
          </Table.Tr>
        )}
      />
      {editing ? (
        <DepartmentModal
          department={editing === "new" ? null : editing}
          all={all}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </>
  );
}
