import {
  Button,
  Checkbox,
  Group,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { SEVERITIES, SEVERITY_HELP, SEVERITY_LABELS, type Severity } from "./labels";
import { incidentsKey, playbooksQuery } from "./queries";
import { UserPicker } from "./UserPicker";

/** Open an incident by hand (or from reports, when reportIds are given by the triage page). */
export function NewIncidentModal({
  opened,
  onClose,
  reportIds = [],
}: {
  opened: boolean;
  onClose: () => void;
  reportIds?: string[];
}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const playbooks = useQuery(playbooksQuery(true));
  const canTriage = useCan("reports:triage_read");
  const [reports, setReports] = useState<string[]>(reportIds);
  const [reportSearch, setReportSearch] = useState("");
  const [reportQ] = useDebouncedValue(reportSearch, 250);
  const candidates = useQuery({
    queryKey: ["reports", "incident-candidates", reportQ],
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/reports", {
          params: { query: { status: "all", q: reportQ || undefined, limit: 50 } },
        }),
      ).items,
    enabled: opened && canTriage,
  });
  const [title, setTitle] = useState("");
  const [summary, setSummary] = useState("");
  const [severity, setSeverity] = useState<Severity>("sev3");
  const [peopleInvolved, setPeopleInvolved] = useState(false);
  const [owner, setOwner] = useState<string | null>(null);
  const [playbook, setPlaybook] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/incidents", {
          body: {
            title,
            summary,
            severity,
            peopleInvolved,
            ownerUserId: owner,
            playbookId: playbook ?? undefined,
            reportIds: reports,
          },
        }),
      ),
    onSuccess: async (incident) => {
      await queryClient.invalidateQueries({ queryKey: incidentsKey });
      // The new incident may have alerted the caller too: refresh the bell.
      await queryClient.invalidateQueries({ queryKey: ["notifications"] });
      onClose();
      await navigate({ to: "/incidents/$id", params: { id: incident.id } });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Open an incident" size="lg">
      <form onSubmit={submit}>
        <Stack>
          <ErrorAlert
            error={create.error}
            title="Could not open the incident"
            shownFields={["title", "severity", "ownerUserId"]}
          />
          <TextInput
            label="Title"
            required
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            error={fieldError(create.error, "title")}
          />
          <Textarea
            label="What is known so far"
            autosize
            minRows={3}
            value={summary}
            onChange={(e) => setSummary(e.currentTarget.value)}
          />
          <Select
            label="Severity"
            required
            data={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
            value={severity}
            onChange={(v) => v && setSeverity(v as Severity)}
            description={SEVERITY_HELP[severity]}
            allowDeselect={false}
          />
          {canTriage ? (
            <MultiSelect
              label="From reports"
              description="The reports are marked escalated and listed on the incident"
              searchable
              clearable
              searchValue={reportSearch}
              onSearchChange={setReportSearch}
              data={[
                ...reports
                  .filter((id) => !(candidates.data ?? []).some((r) => r.id === id))
                  .map((id) => ({ value: id, label: id })),
                ...(candidates.data ?? [])
                  .filter((r) => !r.incidentId || reports.includes(r.id))
                  .map((r) => ({ value: r.id, label: `${r.reference} ${r.title}` })),
              ]}
              value={reports}
              onChange={setReports}
              error={fieldError(create.error, "reportIds")}
            />
          ) : null}
          <Checkbox
            label="People are involved (an employee matter): HR is alerted too"
            checked={peopleInvolved}
            onChange={(e) => setPeopleInvolved(e.currentTarget.checked)}
          />
          <UserPicker
            label="Owner"
            value={owner}
            onChange={setOwner}
            error={fieldError(create.error, "ownerUserId")}
          />
          <Select
            label="Playbook"
            description="Adds the playbook's tasks by department role, with due dates from now"
            clearable
            data={(playbooks.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
            value={playbook}
            onChange={setPlaybook}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Open incident
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
