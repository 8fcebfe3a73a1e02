import { Badge, Box, Card, EmptyState, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert } from "../../components/ErrorAlert";
import { departmentsQuery, jobRolesQuery, locationsQuery } from "../org/queries";
import { EVENT_LABELS, EVENT_STATE_COLORS, isOneOf, TERMINATION_LABELS, TERMINATION_TYPES } from "./labels";
import { peopleKey, personEventsQuery } from "./queries";
import type { PersonEvent } from "./types";
import { formatDay, formatInZone, viewerTimeZone } from "./zones";

/** Names for the ids an event's changes carry (org lists are small and cached). */
function useChangeText() {
  const departments = useQuery(departmentsQuery).data ?? [];
  const jobRoles = useQuery(jobRolesQuery).data ?? [];
  const locations = useQuery(locationsQuery).data ?? [];
  return (changes: Record<string, unknown>): string[] => {
    const out: string[] = [];
    const name = (list: { id: string; name?: string; title?: string }[], id: unknown) =>
      id === null
        ? "none"
        : (list.find((x) => x.id === id)?.name ?? list.find((x) => x.id === id)?.title ?? String(id));
    if ("departmentId" in changes) out.push(`Department → ${name(departments, changes.departmentId)}`);
    if ("jobRoleId" in changes) out.push(`Job role → ${name(jobRoles, changes.jobRoleId)}`);
    if ("locationId" in changes) out.push(`Location → ${name(locations, changes.locationId)}`);
    if ("managerId" in changes) out.push(changes.managerId ? "New manager" : "Manager removed");
    if (typeof changes.startDate === "string") out.push(`Start date ${formatDay(changes.startDate)}`);
    if (typeof changes.lastWorkingDay === "string")
      out.push(`Last working day ${formatDay(changes.lastWorkingDay)}`);
    if (isOneOf(TERMINATION_TYPES, changes.terminationType))
      out.push(`${TERMINATION_LABELS[changes.terminationType]} termination`);
    return out;
  };
}

interface EventItemProps {
  event: PersonEvent;
  personZone: string;
  changeText: (changes: Record<string, unknown>) => string[];
  onCancel?: (event: PersonEvent) => void;
  cancelling: boolean;
}

function EventItem({ event, personZone, changeText, onCancel, cancelling }: EventItemProps) {
  const yours = viewerTimeZone();
  const details = changeText(event.changes);
  return (
    <Card component="li" withBorder padding="sm" aria-label={`${EVENT_LABELS[event.type]}, ${event.state}`}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={2}>
          <Group gap="xs">
            <Text fw={600}>{EVENT_LABELS[event.type]}</Text>
            <Badge variant="light" radius="sm" color={EVENT_STATE_COLORS[event.state] ?? "gray"}>
              {event.state === "scheduled"
                ? "Scheduled"
                : event.state[0]?.toUpperCase() + event.state.slice(1)}
            </Badge>
          </Group>
          <Text size="sm">
            {event.state === "scheduled" ? "Takes effect" : "Effective"}{" "}
            {formatInZone(event.effectiveAt, personZone)}{" "}
            <Text span c="dimmed" size="sm">
              (their time, {personZone})
            </Text>
          </Text>
          {yours !== personZone ? (
            <Text size="sm" c="dimmed">
              {formatInZone(event.effectiveAt, yours)} (your time, {yours})
            </Text>
          ) : null}
          {details.length > 0 ? <Text size="sm">{details.join(" · ")}</Text> : null}
          {event.reason ? <Text size="sm">Reason: {event.reason}</Text> : null}
          {event.error ? (
            <Text size="sm" c="red.9">
              {event.error}
            </Text>
          ) : null}
          <Text size="xs" c="dimmed">
            Source: {event.source}
          </Text>
        </Stack>
        {onCancel && event.state === "scheduled" ? (
          <ConfirmButton
            size="xs"
            color="red"
            loading={cancelling}
            question={`Cancel this ${EVENT_LABELS[event.type].toLowerCase()}?`}
            confirmLabel="Cancel event"
            onConfirm={() => onCancel(event)}
          >
            Cancel event
          </ConfirmButton>
        ) : null}
      </Group>
    </Card>
  );
}

/** The lifecycle timeline: what is scheduled (soonest first), then what happened (newest first). */
export function Timeline({ personId, personZone }: { personId: string; personZone: string }) {
  const queryClient = useQueryClient();
  const canEvents = useCan("people:events");
  const events = useQuery(personEventsQuery(personId));
  const changeText = useChangeText();
  const cancel = useMutation({
    mutationFn: async (event: PersonEvent) =>
      expectData(await api.POST("/api/v1/people/events/{id}/cancel", { params: { path: { id: event.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...peopleKey, "one", personId] }),
  });
  const items = events.data ?? [];
  const scheduled = items.filter((e) => e.state === "scheduled").reverse();
  const past = items.filter((e) => e.state !== "scheduled");
  const list = (title: string, rows: PersonEvent[], id: string) => (
    <section aria-labelledby={id}>
      <Title order={3} size="h5" id={id} mb="xs">
        {title}
      </Title>
      <Box component="ol" p={0} m={0} style={{ listStyle: "none", display: "grid", gap: 8 }}>
        {rows.map((event) => (
          <EventItem
            key={event.id}
            event={event}
            personZone={personZone}
            changeText={changeText}
            onCancel={canEvents ? (e) => cancel.mutate(e) : undefined}
            cancelling={cancel.isPending && cancel.variables?.id === event.id}
          />
        ))}
      </Box>
    </section>
  );
  return (
    <Stack gap="md">
      {events.isPending ? <Loader aria-label="Loading the timeline" /> : null}
      <ErrorAlert error={events.error} title="Could not load the timeline" />
      <ErrorAlert error={cancel.error} title="Could not cancel the event" />
      {events.isSuccess && items.length === 0 ? (
        <EmptyState
          title="No lifecycle events yet"
          description="Hires, starts, transfers, leave and leaving appear here."
        />
      ) : null}
      {scheduled.length > 0 ? list("Scheduled", scheduled, "timeline-scheduled") : null}
      {past.length > 0 ? list("Past", past, "timeline-past") : null}
    </Stack>
  );
}
