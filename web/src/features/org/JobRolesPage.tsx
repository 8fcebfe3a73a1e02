import { Button, EmptyState, Table } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../app/session";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { JobRoleModal } from "./JobRoleModal";
import { matches, OrgTable } from "./OrgTable";
import { jobRolesQuery } from "./queries";
import type { JobRole } from "./types";

export function JobRolesPage() {
  const canWrite = useCan("org:write");
  const list = useQuery(jobRolesQuery);
  const [search, setSearch] = useState("");
  const [editing, setEditing] = useState<JobRole | "new" | null>(null);
  const shown = list.data?.filter((j) => matches(search, j.title, j.departmentName, j.level));

  return (
    <>
      <PageHeader
        title="Job roles"
        description="Access follows the job role: each role will carry the access profile its holders need."
        actions={canWrite ? <Button onClick={() => setEditing("new")}>Add job role</Button> : undefined}
      />
      <OrgTable
        noun="job roles"
        items={shown}
        pending={list.isPending}
        error={list.error}
        search={search}
        onSearch={setSearch}
        columns={["Title", "Department", "Level", "Headcount", ...(canWrite ? ["Actions"] : [])]}
        empty={
          <EmptyState
            my="xl"
            title="No job roles yet"
            description="Add job roles here, or let a CSV import create the ones your file names."
          />
        }
        row={(j) => (
          <Table.Tr key={j.id}>
            <Table.Td>{j.title}</Table.Td>
            <Table.Td>{j.departmentName ?? "—"}</Table.Td>
            <Table.Td>{j.level ?? "—"}</Table.Td>
            <Table.Td>
              <AnchorLink
                to="/people"
                search={{ jobRoleId: j.id }}
                aria-label={`${j.headcount} people in the role ${j.title}`}
              >
                {j.headcount}
              </AnchorLink>
            </Table.Td>
            {canWrite ? (
              <Table.Td>
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => setEditing(j)}
                  aria-label={`Edit ${j.title}`}
                >
                  Edit
                </Button>
              </Table.Td>
            ) : null}
          </Table.Tr>
        )}
      />
      {editing ? (
        <JobRoleModal jobRole={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
    </>
  );
}
