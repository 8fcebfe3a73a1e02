import {
  Button,
  Card,
  Group,
  List,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import type { paths } from "../../api/schema";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { SEVERITIES, SEVERITY_LABELS, type Severity } from "./labels";
import { incidentsKey, incidentsQuery } from "./queries";
import { UserPicker } from "./UserPicker";

type Incident = paths["/api/v1/incidents/{id}"]["get"]["responses"][200]["content"]["application/json"];

/** Summary, owner and severity; the reports it came from; decisions; links and merge. */
export function IncidentOverview({ incident: i, canWrite }: { incident: Incident; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const editable = canWrite && i.status !== "closed";
  const invalidate = () => queryClient.invalidateQueries({ queryKey: incidentsKey });
  const patch = useMutation({
    mutationFn: async (body: { severity?: Severity; ownerUserId?: string | null }) =>
      expectData(await api.PATCH("/api/v1/incidents/{id}", { params: { path: { id: i.id } }, body })),
    onSuccess: invalidate,
  });
  const [decision, setDecision] = useState("");
  const [rationale, setRationale] = useState("");
  const decide = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/incidents/{id}/decisions", {
          params: { path: { id: i.id } },
          body: { decision, rationale },
        }),
      ),
    onSuccess: async () => {
      setDecision("");
      setRationale("");
      await invalidate();
    },
  });
  const [other, setOther] = useState<string | null>(null);
  const candidates = useQuery({ ...incidentsQuery({ status: "active" }), enabled: editable });
  const link = useMutation({
    mutationFn: async (kind: "link" | "merge") => {
      if (!other) return;
      if (kind === "link")
        await api.POST("/api/v1/incidents/{id}/links", {
          params: { path: { id: i.id } },
          body: { otherId: other },
        });
      else
        expectData(
          await api.POST("/api/v1/incidents/{id}/merge", {
            params: { path: { id: i.id } },
            body: { intoId: other },
          }),
        );
    },
    onSuccess: invalidate,
  });
  const submitDecision = (e: FormEvent) => {
    e.preventDefault();
    decide.mutate();
  };

  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
      <Card withBorder>
        <Stack>
          <Title order={2} size="h4">
            Summary
          </Title>
          <Text style={{ whiteSpace: "pre-wrap" }}>{i.summary || "No summary yet."}</Text>
          <Text size="sm" c="dimmed">
            {i.severityMeaning}
          </Text>
          {editable ? (
            <Group align="flex-end" grow>
              <Select
                label="Severity"
                data={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
                value={i.severity}
                allowDeselect={false}
                onChange={(v) => v && v !== i.severity && patch.mutate({ severity: v as Severity })}
              />
              <UserPicker
                label="Owner"
                value={i.ownerUserId}
                onChange={(v) => patch.mutate({ ownerUserId: v })}
              />
            </Group>
          ) : null}
          <ErrorAlert error={patch.error} title="Could not change the incident" />
          <Text size="sm">
            Acknowledged {formatDateTime(i.acknowledgedAt, "not yet")} · contained{" "}
            {formatDateTime(i.containedAt, "not yet")} · resolved {formatDateTime(i.resolvedAt, "not yet")}
          </Text>
        </Stack>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Reports
        </Title>
        {i.reports.length ? (
          <List>
            {i.reports.map((r) => (
              <List.Item key={r.id}>
                {r.reference}: {r.title} ({r.category.replace(/_/g, " ")}
                {r.anonymous ? ", anonymous" : ""}) · {formatDateTime(r.createdAt)}
              </List.Item>
            ))}
          </List>
        ) : (
          <Text c="dimmed">
            Opened by hand; no reports attached. Reports are attached when an incident is opened from the
            triage queue.
          </Text>
        )}
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Decisions
        </Title>
        {i.decisions.length ? (
          <List>
            {i.decisions.map((d) => (
              <List.Item key={d.id}>
                <Text fw={600}>{d.decision}</Text>
                {d.rationale ? <Text size="sm">{d.rationale}</Text> : null}
                <Text size="xs" c="dimmed">
                  {formatDateTime(d.createdAt)}
                </Text>
              </List.Item>
            ))}
          </List>
        ) : (
          <Text c="dimmed">No decisions recorded yet.</Text>
        )}
        {editable ? (
          <form onSubmit={submitDecision}>
            <Stack mt="md" gap="xs">
              <TextInput
                label="Decision"
                required
                value={decision}
                onChange={(e) => setDecision(e.currentTarget.value)}
              />
              <Textarea
                label="Why"
                autosize
                value={rationale}
                onChange={(e) => setRationale(e.currentTarget.value)}
              />
              <ErrorAlert error={decide.error} title="Could not record the decision" />
              <Group justify="flex-end">
                <Button type="submit" loading={decide.isPending}>
                  Record decision
                </Button>
              </Group>
            </Stack>
          </form>
        ) : null}
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Related incidents
        </Title>
        {i.links.length ? (
          <List>
            {i.links.map((l) => (
              <List.Item key={l.id}>
                <AnchorLink to="/incidents/$id" params={{ id: l.id }}>
                  {l.reference}
                </AnchorLink>{" "}
                {l.title} ({l.status})
              </List.Item>
            ))}
          </List>
        ) : (
          <Text c="dimmed">No related incidents.</Text>
        )}
        {editable ? (
          <Stack mt="md" gap="xs">
            <Select
              label="Another open incident"
              searchable
              clearable
              data={(candidates.data?.items ?? [])
                .filter((c) => c.id !== i.id)
                .map((c) => ({ value: c.id, label: `${c.reference} ${c.title}` }))}
              value={other}
              onChange={setOther}
            />
            <ErrorAlert error={link.error} title="Could not link or merge" />
            <Group justify="flex-end">
              <Button variant="default" disabled={!other} onClick={() => link.mutate("link")}>
                Link
              </Button>
              <Button color="orange" disabled={!other} onClick={() => link.mutate("merge")}>
                Merge this one into it
              </Button>
            </Group>
          </Stack>
        ) : null}
      </Card>
    </SimpleGrid>
  );
}
