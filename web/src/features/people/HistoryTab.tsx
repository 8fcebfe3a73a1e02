import { Alert, Button, Card, DataList, Group, Loader, Stack, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { EMPLOYMENT_LABELS, STATUS_LABELS } from "./labels";
import { asOfQuery } from "./queries";
import type { PersonAsOf } from "./types";
import { formatDay, todayIso } from "./zones";

/** The end of a yyyy-mm-dd day in the viewer's zone, as an ISO instant. */
function endOfDay(day: string): string | null {
  const date = new Date(`${day}T23:59:59.999`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function Snapshot({ record }: { record: PersonAsOf }) {
  const rows: [string, string][] = [
    ["Name", record.displayName ?? record.legalName ?? "—"],
    ["Status", record.status ? STATUS_LABELS[record.status] : "—"],
    ["Work email", record.workEmail ?? "—"],
    ["Department", record.departmentName ?? record.departmentId ?? "—"],
    ["Job role", record.jobRoleTitle ?? record.jobRoleId ?? "—"],
    ["Manager", record.managerName ?? record.managerId ?? "—"],
    ["Location", record.locationName ?? record.locationId ?? "—"],
    ["Type", record.employmentType ? EMPLOYMENT_LABELS[record.employmentType] : "—"],
    ["Start date", formatDay(record.startDate)],
    ["End date", formatDay(record.endDate)],
  ];
  return (
    <Card withBorder padding="md">
      <Text size="sm" c="dimmed" mb="sm">
        Version {record.version}, valid from {formatDateTime(record.validFrom)}
      </Text>
      <DataList labelWidth={150}>
        {rows.map(([label, value]) => (
          <DataList.Item key={label}>
            <DataList.ItemLabel>{label}</DataList.ItemLabel>
            <DataList.ItemValue>{value}</DataList.ItemValue>
          </DataList.Item>
        ))}
      </DataList>
    </Card>
  );
}

/** "What did the record say on …?" — the version that was valid at the end of the chosen day. */
export function HistoryTab({ personId }: { personId: string }) {
  const [day, setDay] = useState(todayIso());
  const [at, setAt] = useState<string | null>(null);
  const record = useQuery({ ...asOfQuery(personId, at ?? ""), enabled: at !== null });
  const notYet = record.error instanceof ApiError && record.error.status === 404;

  function submit(event: FormEvent) {
    event.preventDefault();
    setAt(endOfDay(day));
  }

  return (
    <Stack gap="md">
      <form onSubmit={submit} aria-label="Show the record as of a date">
        <Group align="flex-end" gap="sm">
          <TextInput
            label="As of"
            type="date"
            value={day}
            onChange={(e) => setDay(e.currentTarget.value)}
            max={todayIso()}
          />
          <Button type="submit" disabled={!day}>
            Show the record
          </Button>
        </Group>
      </form>
      {record.isFetching ? <Loader aria-label="Loading the record as of that date" /> : null}
      {notYet ? (
        <Alert color="gray" variant="light" title="No record yet">
          Tandem had no record of this person at the end of {formatDay(day)}.
        </Alert>
      ) : (
        <ErrorAlert error={record.error} title="Could not load the record" />
      )}
      {record.data && !record.isFetching ? <Snapshot record={record.data} /> : null}
    </Stack>
  );
}
