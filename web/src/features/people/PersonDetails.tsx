import { Card, DataList, Group, SimpleGrid, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useCan } from "../../app/session";
import { AnchorLink } from "../../components/links";
import { userQuery } from "../users/queries";
import { EMPLOYMENT_LABELS, TERMINATION_LABELS } from "./labels";
import { HighRiskBadge, PersonStatusBadge } from "./StatusBadge";
import type { Person } from "./types";
import { formatDay } from "./zones";

function Account({ userId }: { userId: string | null }) {
  const canSeeUsers = useCan("users:read");
  const user = useQuery({ ...userQuery(userId ?? ""), enabled: canSeeUsers && userId !== null });
  if (!userId) return <>No Tandem account</>;
  if (!canSeeUsers) return <>Has a Tandem account</>;
  return (
    <AnchorLink to="/admin/users" size="sm">
      {user.data ? `${user.data.email} (Users & roles)` : "Users & roles"}
    </AnchorLink>
  );
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

/** The record's facts: status, place in the organisation, dates and the linked account. */
export function PersonDetails({ person, timeZone }: { person: Person; timeZone: string | null }) {
  return (
    <Card withBorder padding="lg" mb="lg" component="section" aria-label="Record">
      <Group gap="xs" mb="sm">
        <PersonStatusBadge status={person.status} />
        <HighRiskBadge highRisk={person.highRisk} />
        {person.terminationType ? (
          <Text size="sm" c="dimmed">
            {TERMINATION_LABELS[person.terminationType]} termination
          </Text>
        ) : null}
      </Group>
      {person.highRisk && person.highRiskReason ? (
        <Text size="sm" mb="sm">
          High-risk reason: {person.highRiskReason}
        </Text>
      ) : null}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
        <DataList labelWidth={130}>
          <Item label="Employee no.">{person.employeeNumber}</Item>
          <Item label="Work email">{person.workEmail}</Item>
          <Item label="Legal name">{person.legalName}</Item>
          <Item label="Department">{person.departmentName ?? "—"}</Item>
          <Item label="Job role">{person.jobRoleTitle ?? "—"}</Item>
          <Item label="Manager">
            {person.managerId ? (
              <AnchorLink to="/people/$id" params={{ id: person.managerId }} size="sm">
                {person.managerName ?? "Manager"}
              </AnchorLink>
            ) : (
              "—"
            )}
          </Item>
        </DataList>
        <DataList labelWidth={130}>
          <Item label="Location">
            {person.locationName ? `${person.locationName}${timeZone ? ` (${timeZone})` : ""}` : "—"}
          </Item>
          <Item label="Type">{EMPLOYMENT_LABELS[person.employmentType]}</Item>
          <Item label="Start date">{formatDay(person.startDate)}</Item>
          <Item label="End date">{formatDay(person.endDate)}</Item>
          <Item label="Account">
            <Account userId={person.userId} />
          </Item>
        </DataList>
      </SimpleGrid>
    </Card>
  );
}
