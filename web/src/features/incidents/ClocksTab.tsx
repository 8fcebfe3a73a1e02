import {
  Alert,
  Badge,
  Button,
  Card,
  EmptyState,
  Group,
  Loader,
  Modal,
  MultiSelect,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useInterval } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { countdown, localToIso } from "./labels";
import { clocksQuery, incidentsKey, jurisdictionsQuery } from "./queries";

/** Legal starts the clocks of a personal-data breach; the deadlines count down until notified. */
export function ClocksTab({ incidentId, closed }: { incidentId: string; closed: boolean }) {
  const queryClient = useQueryClient();
  const isLegal = useCan("incidents:legal");
  const clocks = useQuery(clocksQuery(incidentId));
  const jurisdictions = useQuery(jurisdictionsQuery);
  const [now, setNow] = useState(Date.now());
  const tick = useInterval(() => setNow(Date.now()), 30_000);
  // biome-ignore lint/correctness/useExhaustiveDependencies: start once, stop on unmount
  useEffect(() => {
    tick.start();
    return tick.stop;
  }, []);
  const [aware, setAware] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: [...incidentsKey, incidentId] });
  const mark = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/incidents/{id}/breach", {
          params: { path: { id: incidentId } },
          body: { awareAt: localToIso(aware) ?? "", jurisdictionIds: chosen },
        }),
      ),
    onSuccess: invalidate,
  });
  const [stopping, setStopping] = useState<{ id: string; label: string } | null>(null);
  const [outcome, setOutcome] = useState<"notified" | "not_required">("notified");
  const [evidence, setEvidence] = useState("");
  const [at, setAt] = useState("");
  const stop = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/incidents/{id}/clocks/{clockId}/outcome", {
          params: { path: { id: incidentId, clockId: stopping?.id ?? "" } },
          body: { outcome, evidence, at: localToIso(at) },
        }),
      ),
    onSuccess: async () => {
      setStopping(null);
      setEvidence("");
      await invalidate();
    },
  });
  const submitMark = (e: FormEvent) => {
    e.preventDefault();
    mark.mutate();
  };
  const items = clocks.data ?? [];

  return (
    <Stack>
      <Alert color="gray" variant="light">
        Deadlines follow each jurisdiction's configuration (for example GDPR article 33: 72 hours from
        awareness; POPIA section 22: as soon as reasonably possible, with an internal target). They are not
        legal advice.
      </Alert>
      {clocks.isPending ? <Loader aria-label="Loading clocks" /> : null}
      <ErrorAlert error={clocks.error} title="Could not load the clocks" />
      {clocks.isSuccess && !items.length ? (
        <EmptyState
          title="No clocks running"
          description="Legal marks a personal-data breach with the moment the organisation became aware of it; each jurisdiction's deadlines start from there."
        />
      ) : null}
      {items.map((c) => (
        <Card key={c.id} withBorder component="article" aria-labelledby={`clock-${c.id}`}>
          <Group justify="space-between" align="flex-start">
            <Stack gap={2}>
              <Title order={2} size="h4" id={`clock-${c.id}`}>
                {c.law}: notify {c.authority}
              </Title>
              <Text size="sm">
                Aware {formatDateTime(c.awareAt)} · deadline {formatDateTime(c.dueAt)}
              </Text>
              {c.state === "running" ? (
                <Text fw={700} c={c.overdue ? "red.9" : "orange.9"}>
                  {c.overdue
                    ? `Deadline passed ${countdown(c.dueAt, now)}`
                    : `Due ${countdown(c.dueAt, now)}`}
                </Text>
              ) : (
                <Text size="sm">
                  {c.state === "notified" ? `Notified ${formatDateTime(c.notifiedAt)}` : "Not required"}:{" "}
                  {c.evidence}
                </Text>
              )}
            </Stack>
            <Group>
              {c.met === true ? <Badge color="teal">Met</Badge> : null}
              {c.met === false ? <Badge color="red">Missed</Badge> : null}
              {c.state === "running" && isLegal && !closed ? (
                <Button onClick={() => setStopping({ id: c.id, label: `${c.law}: ${c.authority}` })}>
                  Record outcome
                </Button>
              ) : null}
            </Group>
          </Group>
        </Card>
      ))}
      {isLegal && !closed ? (
        <Card withBorder>
          <form onSubmit={submitMark}>
            <Stack gap="xs">
              <Title order={2} size="h4">
                Mark a personal-data breach
              </Title>
              <TextInput
                label="Became aware at"
                type="datetime-local"
                required
                value={aware}
                onChange={(e) => setAware(e.currentTarget.value)}
                error={fieldError(mark.error, "awareAt")}
              />
              <MultiSelect
                label="Jurisdictions"
                required
                data={(jurisdictions.data ?? [])
                  .filter((j) => j.active)
                  .map((j) => ({ value: j.id, label: `${j.name} (${j.law})` }))}
                value={chosen}
                onChange={setChosen}
                error={fieldError(mark.error, "jurisdictionIds")}
              />
              <ErrorAlert
                error={mark.error}
                title="Could not start the clocks"
                shownFields={["awareAt", "jurisdictionIds"]}
              />
              <Group justify="flex-end">
                <Button type="submit" loading={mark.isPending}>
                  Start clocks
                </Button>
              </Group>
            </Stack>
          </form>
        </Card>
      ) : null}
      <Modal opened={!!stopping} onClose={() => setStopping(null)} title={stopping?.label ?? ""}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            stop.mutate();
          }}
        >
          <Stack>
            <SegmentedControl
              aria-label="Outcome"
              value={outcome}
              onChange={(v) => setOutcome(v as "notified" | "not_required")}
              data={[
                { value: "notified", label: "Notified" },
                { value: "not_required", label: "Not required" },
              ]}
            />
            <TextInput
              label="When (empty: now)"
              type="datetime-local"
              value={at}
              onChange={(e) => setAt(e.currentTarget.value)}
              error={fieldError(stop.error, "at")}
            />
            <Textarea
              label={
                outcome === "notified"
                  ? "Evidence (submission reference, letter, e-mail)"
                  : "Why notification is not required"
              }
              required
              autosize
              value={evidence}
              onChange={(e) => setEvidence(e.currentTarget.value)}
            />
            <ErrorAlert error={stop.error} title="Could not record the outcome" shownFields={["at"]} />
            <Group justify="flex-end">
              <Button type="submit" loading={stop.isPending}>
                Record
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
