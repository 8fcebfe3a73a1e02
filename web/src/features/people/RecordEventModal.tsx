import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  NativeSelect,
  Radio,
  Stack,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { departmentsQuery, jobRolesQuery, locationsQuery, toOptions } from "../org/queries";
import {
  EMPTY_EVENT,
  type EventFormValues,
  LEAVING,
  missingEventFields,
  RECORDABLE,
  toEventBody,
} from "./eventForm";
import { EVENT_LABELS, isOneOf, options, TERMINATION_LABELS, TERMINATION_TYPES } from "./labels";
import { PersonPicker } from "./PersonPicker";
import { peopleKey } from "./queries";
import type { EventBody, Person } from "./types";

const SHOWN = [
  "type",
  "effectiveDate",
  "terminationType",
  "lastWorkingDay",
  "startDate",
  "changes",
  "highRiskReason",
  "reason",
];
const KEEP = { value: "", label: "No change" };

interface RecordEventModalProps {
  person: Person;
  personZone: string;
  opened: boolean;
  onClose: () => void;
}

export function RecordEventModal({ person, personZone, opened, onClose }: RecordEventModalProps) {
  const queryClient = useQueryClient();
  const canFlag = useCan("people:flag_high_risk");
  const departments = useQuery(departmentsQuery);
  const jobRoles = useQuery(jobRolesQuery);
  const locations = useQuery(locationsQuery);
  const [v, setV] = useState<EventFormValues>(EMPTY_EVENT);
  const [local, setLocal] = useState<Record<string, string>>({});
  const record = useMutation({
    mutationFn: async (body: EventBody) =>
      expectData(await api.POST("/api/v1/people/{id}/events", { params: { path: { id: person.id } }, body })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: peopleKey });
      close();
    },
  });
  const err = (field: string) => local[field] ?? fieldError(record.error, field);
  const set = <K extends keyof EventFormValues>(key: K, value: EventFormValues[K]) =>
    setV({ ...v, [key]: value });
  const text =
    (key: "effectiveDate" | "lastWorkingDay" | "startDate" | "reason" | "highRiskReason") =>
    (event: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      set(key, event.currentTarget.value);
  const pick =
    (key: "departmentId" | "jobRoleId" | "locationId") => (event: React.ChangeEvent<HTMLSelectElement>) =>
      set(key, event.currentTarget.value);

  function close() {
    onClose();
    setV(EMPTY_EVENT);
    setLocal({});
    record.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const missing = missingEventFields(v);
    setLocal(missing);
    if (Object.keys(missing).length === 0) record.mutate(toEventBody(v, canFlag));
  }

  const dated = v.type !== "termination" || !v.immediately;
  return (
    <Modal opened={opened} onClose={close} title={`Record an event for ${person.displayName}`} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ErrorAlert error={record.error} title="Could not record the event" shownFields={SHOWN} />
          <NativeSelect
            label="Event"
            value={v.type}
            onChange={(event) => {
              const type = event.currentTarget.value;
              if (isOneOf(RECORDABLE, type)) setV({ ...EMPTY_EVENT, type });
              setLocal({});
            }}
            data={RECORDABLE.map((type) => ({ value: type, label: EVENT_LABELS[type] }))}
            error={err("type")}
          />
          {v.type === "termination" ? (
            <>
              <NativeSelect
                label="Kind of termination"
                value={v.terminationType}
                onChange={(event) => {
                  const kind = event.currentTarget.value;
                  set("terminationType", isOneOf(TERMINATION_TYPES, kind) ? kind : "");
                }}
                data={[{ value: "", label: "Choose…" }, ...options(TERMINATION_TYPES, TERMINATION_LABELS)]}
                error={err("terminationType")}
                required
              />
              <Radio.Group
                label="When"
                value={v.immediately ? "now" : "date"}
                onChange={(when) => set("immediately", when === "now")}
              >
                <Group mt="xs">
                  <Radio value="date" label="On a date" />
                  <Radio value="now" label="Immediately" />
                </Group>
              </Radio.Group>
            </>
          ) : null}
          {v.type === "resignation" ? (
            <TextInput
              label="Last working day"
              description="Access ends at the end of this day; the termination is scheduled for then."
              type="date"
              required
              value={v.lastWorkingDay}
              onChange={text("lastWorkingDay")}
              error={err("lastWorkingDay")}
            />
          ) : null}
          {v.type === "rehire" ? (
            <TextInput
              label="New start date"
              type="date"
              required
              value={v.startDate}
              onChange={text("startDate")}
              error={err("startDate")}
            />
          ) : null}
          {dated ? (
            <TextInput
              label={v.type === "termination" ? "Termination date" : "Effective date"}
              description={`Takes effect at the start of the day in ${personZone}${v.type === "termination" ? "" : "; leave empty for now"}.`}
              type="date"
              value={v.effectiveDate}
              onChange={text("effectiveDate")}
              error={err("effectiveDate")}
            />
          ) : (
            <Alert color="orange" variant="light" title="Takes effect now">
              The person becomes a leaver as soon as you record this; their access is revoked.
            </Alert>
          )}
          {v.type === "transfer" ? (
            <>
              {err("changes") ? (
                <Alert color="red" variant="light">
                  {err("changes")}
                </Alert>
              ) : null}
              <NativeSelect
                label="New department"
                value={v.departmentId}
                onChange={pick("departmentId")}
                data={[KEEP, ...toOptions(departments.data, (d) => d.name)]}
                error={fieldError(record.error, "departmentId")}
              />
              <NativeSelect
                label="New job role"
                value={v.jobRoleId}
                onChange={pick("jobRoleId")}
                data={[KEEP, ...toOptions(jobRoles.data, (j) => j.title)]}
                error={fieldError(record.error, "jobRoleId")}
              />
              <PersonPicker
                label="New manager"
                value={v.managerId}
                valueLabel={v.managerName}
                excludeId={person.id}
                onChange={(id, name) => setV({ ...v, managerId: id, managerName: name })}
                error={fieldError(record.error, "managerId")}
              />
              <NativeSelect
                label="New location"
                value={v.locationId}
                onChange={pick("locationId")}
                data={[KEEP, ...toOptions(locations.data, (l) => l.name)]}
                error={fieldError(record.error, "locationId")}
              />
            </>
          ) : null}
          {canFlag && isOneOf(LEAVING, v.type) ? (
            <>
              <Checkbox
                label="High-risk leaver (revoke access with priority; visible to HR, Security and Legal)"
                checked={v.highRisk}
                onChange={(event) => set("highRisk", event.currentTarget.checked)}
              />
              {v.highRisk ? (
                <Textarea
                  label="Why high-risk"
                  required
                  autosize
                  minRows={2}
                  value={v.highRiskReason}
                  onChange={text("highRiskReason")}
                  error={err("highRiskReason")}
                />
              ) : null}
            </>
          ) : null}
          <Textarea
            label="Note (optional)"
            autosize
            minRows={2}
            value={v.reason}
            onChange={text("reason")}
            error={err("reason")}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={record.isPending}>
              Record event
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
