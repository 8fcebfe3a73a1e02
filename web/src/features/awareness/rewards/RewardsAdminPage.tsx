import {
  Button,
  EmptyState,
  Group,
  Loader,
  Modal,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, expectData } from "../../../api/client";
import { useCan } from "../../../app/session";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { ErrorAlert, fieldError } from "../../../components/ErrorAlert";
import { PageHeader } from "../../../components/PageHeader";
import { ScrollTable } from "../../../components/ScrollTable";
import { departmentsQuery } from "../../org/queries";
import { PersonPicker } from "../../people/PersonPicker";
import {
  currentPeriod,
  isPeriod,
  objectivesQuery,
  PERIOD_HINT,
  pointValuesQuery,
  rewardsKey,
} from "./queries";
import type { Objective, ObjectiveBody, PointValue } from "./types";

const METRICS: { value: ObjectiveBody["metric"]; label: string }[] = [
  { value: "training_completed", label: "All assigned training completed" },
  { value: "policies_acknowledged", label: "All policies acknowledged" },
  { value: "phish_reports", label: "At least N phishing reports" },
  { value: "points", label: "At least N points" },
  { value: "no_clicks", label: "At most N counted phishing clicks" },
];
const usesTarget = (m: ObjectiveBody["metric"]) =>
  m !== "training_completed" && m !== "policies_acknowledged";
const err = (e: unknown, f: string) => fieldError(e, f) ?? fieldError(e, `body.${f}`);

function ObjectiveModal({
  period,
  editing,
  onClose,
}: {
  period: string;
  editing?: Objective;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const departments = useQuery(departmentsQuery);
  const [o, setO] = useState<ObjectiveBody>(
    editing
      ? {
          period: editing.period,
          title: editing.title,
          metric: editing.metric,
          target: editing.target,
          scope: editing.scope,
        }
      : { period, title: "", metric: "training_completed", target: 0, scope: "everyone" },
  );
  const [personLabel, setPersonLabel] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: async () =>
      editing
        ? expectData(
            await api.PATCH("/api/v1/awareness/rewards/objectives/{id}", {
              params: { path: { id: editing.id } },
              body: { title: o.title, target: o.target ?? 0 },
            }),
          )
        : expectData(await api.POST("/api/v1/awareness/rewards/objectives", { body: o })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: rewardsKey });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={editing ? "Change objective" : "New objective"} size="lg">
      <Stack>
        <TextInput
          label="Title"
          required
          value={o.title}
          onChange={(e) => setO({ ...o, title: e.currentTarget.value })}
          error={err(save.error, "title")}
        />
        {!editing ? (
          <>
            <TextInput
              label="Review period"
              description={PERIOD_HINT}
              value={o.period}
              onChange={(e) => setO({ ...o, period: e.currentTarget.value.trim() })}
              error={err(save.error, "period")}
            />
            <Select
              label="Measure"
              data={METRICS}
              value={o.metric}
              allowDeselect={false}
              onChange={(v) => setO({ ...o, metric: (v ?? "training_completed") as ObjectiveBody["metric"] })}
              error={err(save.error, "metric")}
            />
            <Select
              label="Applies to"
              allowDeselect={false}
              data={[
                { value: "everyone", label: "Everyone who works here" },
                { value: "department", label: "A department (its team)" },
                { value: "person", label: "One person" },
              ]}
              value={o.scope}
              onChange={(v) =>
                setO({
                  ...o,
                  scope: (v ?? "everyone") as ObjectiveBody["scope"],
                  departmentId: undefined,
                  personId: undefined,
                })
              }
            />
            {o.scope === "department" ? (
              <Select
                label="Department"
                searchable
                data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
                value={o.departmentId ?? null}
                onChange={(v) => setO({ ...o, departmentId: v ?? undefined })}
                error={err(save.error, "departmentId")}
              />
            ) : null}
            {o.scope === "person" ? (
              <PersonPicker
                label="Person"
                value={o.personId ?? null}
                valueLabel={personLabel}
                onChange={(id, label) => {
                  setO({ ...o, personId: id ?? undefined });
                  setPersonLabel(label);
                }}
                error={err(save.error, "personId")}
              />
            ) : null}
          </>
        ) : null}
        {usesTarget(o.metric) ? (
          <NumberInput
            label={o.metric === "no_clicks" ? "At most (clicks)" : "At least"}
            min={0}
            max={1_000_000}
            value={o.target ?? 0}
            onChange={(v) => setO({ ...o, target: Number(v) || 0 })}
            error={err(save.error, "target")}
          />
        ) : null}
        <ErrorAlert error={save.error} title="Could not save the objective" />
        <Group justify="flex-end">
          <Button loading={save.isPending} onClick={() => save.mutate()}>
            {editing ? "Save" : "Add objective"}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function PointValues() {
  const qc = useQueryClient();
  const values = useQuery(pointValuesQuery);
  const [draft, setDraft] = useState<Record<string, number>>({});
  const save = useMutation({
    mutationFn: async () =>
      expectData(
        await api.PUT("/api/v1/awareness/rewards/point-values", {
          body: draft as Record<PointValue["kind"], number>,
        }),
      ),
    onSuccess: () => {
      setDraft({});
      void qc.invalidateQueries({ queryKey: rewardsKey });
    },
  });
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        Points per kind
      </Title>
      <Text size="sm" c="dimmed">
        A change applies to points earned from now on; points already earned stay as they are.
      </Text>
      <ErrorAlert error={values.error ?? save.error} title="Could not load or change point values" />
      {values.data ? (
        <Group align="flex-end">
          {values.data.map((v) => (
            <NumberInput
              key={v.kind}
              label={v.label}
              w={200}
              min={0}
              max={1000}
              value={draft[v.kind] ?? v.points}
              onChange={(n) => setDraft({ ...draft, [v.kind]: Number(n) || 0 })}
              error={err(save.error, v.kind)}
            />
          ))}
          <Button
            disabled={!Object.keys(draft).length}
            loading={save.isPending}
            onClick={() => save.mutate()}
          >
            Save points
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

/** HR and Security: objectives per review period with live progress, point values, and the export. */
export function RewardsAdminPage() {
  const qc = useQueryClient();
  const canExport = useCan("rewards:export");
  const [period, setPeriod] = useState(currentPeriod());
  const [filter, setFilter] = useState("");
  const [modal, setModal] = useState<{ editing?: Objective } | null>(null);
  const valid = isPeriod(period);
  const objectives = useQuery({ ...objectivesQuery(period), enabled: valid });
  const remove = useMutation({
    mutationFn: async (id: string) =>
      api.DELETE("/api/v1/awareness/rewards/objectives/{id}", { params: { path: { id } } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: rewardsKey }),
  });
  const needle = filter.trim().toLowerCase();
  const items = (objectives.data ?? []).filter(
    (o) =>
      !needle || `${o.title} ${o.departmentName ?? ""} ${o.personName ?? ""}`.toLowerCase().includes(needle),
  );
  const exportUrl = (format: "csv" | "json") =>
    `/api/v1/awareness/rewards/export?period=${encodeURIComponent(period)}&format=${format}`;
  return (
    <>
      <PageHeader
        title="Objectives & export"
        description="Security objectives per review period, with progress from live data, exported for performance evaluations."
        actions={
          <>
            <Button onClick={() => setModal({})}>New objective</Button>
            {canExport && valid ? (
              <>
                <Button component="a" variant="default" href={exportUrl("csv")} download>
                  Export CSV
                </Button>
                <Button
                  component="a"
                  variant="default"
                  href={exportUrl("json")}
                  download={`rewards-${period}.json`}
                >
                  Export JSON
                </Button>
              </>
            ) : null}
          </>
        }
      />
      <Stack gap="xl">
        <Stack gap="xs">
          <Group align="flex-end">
            <TextInput
              label="Review period"
              description={PERIOD_HINT}
              value={period}
              onChange={(e) => setPeriod(e.currentTarget.value.trim())}
              error={valid ? undefined : "Not a review period"}
            />
            <TextInput
              label="Search"
              placeholder="Title, department or person"
              value={filter}
              onChange={(e) => setFilter(e.currentTarget.value)}
            />
          </Group>
          {objectives.isPending && valid ? <Loader aria-label="Loading objectives" /> : null}
          <ErrorAlert error={objectives.error ?? remove.error} title="Could not load or change objectives" />
          {objectives.data && items.length === 0 ? (
            <EmptyState
              my="lg"
              title={`No objectives for ${period}`}
              description="Add an objective for everyone, a department or one person; its progress is computed from training, policies, points and phishing results."
            />
          ) : null}
          {items.length ? (
            <ScrollTable label="Objectives" minWidth={900}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Objective</Table.Th>
                  <Table.Th>Measure</Table.Th>
                  <Table.Th>Applies to</Table.Th>
                  <Table.Th>Met</Table.Th>
                  <Table.Th>Set by</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((o) => (
                  <Table.Tr key={o.id}>
                    <Table.Td>{o.title}</Table.Td>
                    <Table.Td>
                      {o.metricLabel}
                      {usesTarget(o.metric) ? ` (N = ${o.target})` : ""}
                    </Table.Td>
                    <Table.Td>
                      {o.scope === "everyone"
                        ? "Everyone"
                        : o.scope === "department"
                          ? o.departmentName
                          : o.personName}
                    </Table.Td>
                    <Table.Td>
                      {o.progress.met} of {o.progress.people}
                    </Table.Td>
                    <Table.Td>{o.setBy ?? "—"}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button size="xs" variant="default" onClick={() => setModal({ editing: o })}>
                          Change
                        </Button>
                        <ConfirmButton
                          size="xs"
                          color="red"
                          variant="subtle"
                          question={`Remove "${o.title}"?`}
                          confirmLabel="Remove"
                          loading={remove.isPending}
                          onConfirm={() => remove.mutate(o.id)}
                        >
                          Remove
                        </ConfirmButton>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </ScrollTable>
          ) : null}
        </Stack>
        <PointValues />
      </Stack>
      {modal ? (
        <ObjectiveModal
          period={valid ? period : currentPeriod()}
          editing={modal.editing}
          onClose={() => setModal(null)}
        />
      ) : null}
    </>
  );
}
