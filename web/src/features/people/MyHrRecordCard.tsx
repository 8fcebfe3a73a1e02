import { Card, DataList, EmptyState, Group, Loader, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ErrorAlert } from "../../components/ErrorAlert";
import { EMPLOYMENT_LABELS } from "./labels";
import { myPersonQuery } from "./queries";
import { PersonStatusBadge } from "./StatusBadge";
import { formatDay } from "./zones";

/** "My HR record" on the profile page: what HR has on file about me (GET /me/person). */
export function MyHrRecordCard() {
  const me = useQuery(myPersonQuery);
  const person = me.data;
  const rows: [string, string | null][] = person
    ? [
        ["Name", person.displayName],
        ["Employee no.", person.employeeNumber],
        ["Work email", person.workEmail],
        ["Department", person.departmentName],
        ["Job role", person.jobRoleTitle],
        ["Manager", person.managerName],
        ["Location", person.locationName],
        ["Type", EMPLOYMENT_LABELS[person.employmentType]],
        ["Start date", formatDay(person.startDate)],
        ["End date", person.endDate ? formatDay(person.endDate) : null],
      ]
    : [];
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="profile-hr">
      <Group justify="space-between" mb="md">
        <Title order={2} size="h3" id="profile-hr">
          My HR record
        </Title>
        {person ? <PersonStatusBadge status={person.status} /> : null}
      </Group>
      {me.isPending ? <Loader size="sm" aria-label="Loading your HR record" /> : null}
      <ErrorAlert error={me.error} title="Could not load your HR record" />
      {me.isSuccess && !person ? (
        <EmptyState
          size="sm"
          title="No HR record linked yet"
          description="Your account is not linked to an HR record. HR links it when they add you or import the staff list; ask them if something looks wrong."
        />
      ) : null}
      {person ? (
        <DataList labelWidth={140}>
          {rows.map(([label, value]) => (
            <DataList.Item key={label}>
              <DataList.ItemLabel>{label}</DataList.ItemLabel>
              <DataList.ItemValue>{value ?? "—"}</DataList.ItemValue>
            </DataList.Item>
          ))}
        </DataList>
      ) : null}
    </Card>
  );
}
