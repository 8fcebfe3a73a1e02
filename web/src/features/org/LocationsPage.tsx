import { Button, EmptyState, Table } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../app/session";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { LocationModal } from "./LocationModal";
import { matches, OrgTable } from "./OrgTable";
import { locationsQuery } from "./queries";
import type { Location } from "./types";

export function LocationsPage() {
  const canWrite = useCan("org:write");
  const list = useQuery(locationsQuery);
  const [search, setSearch] = useState("");
  const [editing, setEditing] = useState<Location | "new" | null>(null);
  const shown = list.data?.filter((l) => matches(search, l.name, l.timeZone, l.country));

  return (
    <>
      <PageHeader
        title="Locations"
        description="Offices and regions. A location's time zone decides when dated HR events take effect."
        actions={canWrite ? <Button onClick={() => setEditing("new")}>Add location</Button> : undefined}
      />
      <OrgTable
        noun="locations"
        items={shown}
        pending={list.isPending}
        error={list.error}
        search={search}
        onSearch={setSearch}
        columns={["Name", "Time zone", "Country", "People", ...(canWrite ? ["Actions"] : [])]}
        empty={
          <EmptyState
            my="xl"
            title="No locations yet"
            description="Add your offices with their time zones, or let a CSV import create them (in UTC)."
          />
        }
        row={(l) => (
          <Table.Tr key={l.id}>
            <Table.Td>{l.name}</Table.Td>
            <Table.Td>{l.timeZone}</Table.Td>
            <Table.Td>{l.country ?? "—"}</Table.Td>
            <Table.Td>
              <AnchorLink to="/people" search={{ locationId: l.id }} aria-label={`People at ${l.name}`}>
                People
              </AnchorLink>
            </Table.Td>
            {canWrite ? (
              <Table.Td>
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => setEditing(l)}
                  aria-label={`Edit ${l.name}`}
                >
                  Edit
                </Button>
              </Table.Td>
            ) : null}
          </Table.Tr>
        )}
      />
      {editing ? (
        <LocationModal location={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
    </>
  );
}
