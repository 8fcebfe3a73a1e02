import { Badge, Box, Button, EmptyState, Group, Loader, Table, Text, VisuallyHidden } from "@mantine/core";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { useCan } from "../../app/session";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert } from "../../components/ErrorAlert";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { departmentsQuery, jobRolesQuery, locationsQuery } from "../org/queries";
import { EMPLOYMENT_LABELS } from "../people/labels";
import { ProfileModal } from "./ProfileModal";
import { accessKey, profilesQuery } from "./queries";
import type { Profile } from "./types";

function useCriteria() {
  const [jobRoles, departments, locations] = useQueries({
    queries: [jobRolesQuery, departmentsQuery, locationsQuery],
  });
  return (p: Profile): string[] => {
    const out: string[] = [];
    if (p.jobRoleId) out.push(jobRoles.data?.find((j) => j.id === p.jobRoleId)?.title ?? "a job role");
    if (p.departmentId)
      out.push(departments.data?.find((d) => d.id === p.departmentId)?.name ?? "a department");
    if (p.locationId) out.push(locations.data?.find((l) => l.id === p.locationId)?.name ?? "a location");
    if (p.employmentType) out.push(EMPLOYMENT_LABELS[p.employmentType]);
    return out;
  };
}

/** Access profiles: which job roles, departments, locations and employment types get which access. */
export function ProfilesPage() {
  const queryClient = useQueryClient();
  const canAdmin = useCan("access:admin");
  const [editing, setEditing] = useState<Profile | "new" | null>(null);
  const profiles = useQuery(profilesQuery);
  const criteria = useCriteria();
  const remove = useMutation({
    mutationFn: async (id: string) => {
      await api.DELETE("/api/v1/access/profiles/{id}", { params: { path: { id } } });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accessKey }),
  });
  const items = profiles.data ?? [];

  return (
    <>
      <PageHeader
        title="Access profiles"
        description="The access each job role should have. HR's events do the rest: joiners get it, movers swap it, leavers lose it."
        actions={canAdmin ? <Button onClick={() => setEditing("new")}>Add profile</Button> : null}
      />
      {profiles.isPending ? <Loader aria-label="Loading the access profiles" /> : null}
      <ErrorAlert error={profiles.error} title="Could not load the access profiles" />
      {remove.error ? (
        <Box mb="md">
          <ErrorAlert error={remove.error} title="Could not delete the profile" />
        </Box>
      ) : null}
      {profiles.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title="No access profiles yet"
          description={
            canAdmin
              ? "A profile says who gets what: for example every engineer gets a GitHub account in the engineering team. Add the systems first, then a profile for everyone (birthright access) and one per job role."
              : "Security or IT describes here the access each job role should have. None is described yet."
          }
        >
          {canAdmin ? (
            <Group justify="center" mt="md">
              <Button onClick={() => setEditing("new")}>Add profile</Button>
              <AnchorLink to="/access/systems">Go to Systems</AnchorLink>
            </Group>
          ) : null}
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Access profiles" minWidth={860}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Who</Table.Th>
              <Table.Th scope="col">What it gives</Table.Th>
              {canAdmin ? (
                <Table.Th scope="col">
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              ) : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((p) => {
              const who = criteria(p);
              return (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {p.name}
                    </Text>
                    {p.description ? (
                      <Text size="xs" c="dimmed">
                        {p.description}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{who.length ? who.join(" · ") : "Everyone (birthright)"}</Table.Td>
                  <Table.Td>
                    {p.entitlements.length === 0 ? (
                      <Text size="sm" c="dimmed">
                        Nothing yet
                      </Text>
                    ) : (
                      <Group gap={4}>
                        {p.entitlements.map((e) => (
                          <Badge
                            key={`${e.systemId}:${e.entitlementId ?? ""}`}
                            variant="light"
                            radius="sm"
                            tt="none"
                            color={e.entitlementId ? "blue" : "gray"}
                          >
                            {e.systemName}: {e.entitlementName ?? "account"}
                          </Badge>
                        ))}
                      </Group>
                    )}
                  </Table.Td>
                  {canAdmin ? (
                    <Table.Td>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        <Button size="xs" variant="default" onClick={() => setEditing(p)}>
                          Edit
                        </Button>
                        <ConfirmButton
                          size="xs"
                          question={`Delete ${p.name}?`}
                          confirmLabel="Delete"
                          loading={remove.isPending && remove.variables === p.id}
                          onConfirm={() => remove.mutate(p.id)}
                        >
                          Delete
                        </ConfirmButton>
                      </Group>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {editing ? (
        <ProfileModal profile={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
    </>
  );
}
