import {
  Button,
  EmptyState,
  Group,
  Loader,
  Modal,
  MultiSelect,
  Progress,
  SegmentedControl,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink, ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { LabelBadge } from "./badges";
import {
  CAMPAIGN_STATE_COLORS,
  CAMPAIGN_STATE_LABELS,
  isoFromLocal,
  localInput,
  SCOPE_LABELS,
} from "./governanceLabels";
import { campaignsQuery } from "./governanceQueries";
import { accessKey, systemsQuery } from "./queries";
import type { CampaignState } from "./types";

function NewCampaignModal({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const systems = useQuery(systemsQuery);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [scope, setScope] = useState<"manager" | "system_owner">("manager");
  const [systemIds, setSystemIds] = useState<string[]>([]);
  const [due, setDue] = useState(() => localInput(new Date(Date.now() + 14 * 86_400_000)));
  const [reminders, setReminders] = useState("7, 1");
  const [autoClose, setAutoClose] = useState(true);
  const [remindOverdue, setRemindOverdue] = useState(true);
  const [missing, setMissing] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/access/reviews", {
          body: {
            name: name.trim(),
            description: description.trim() || null,
            scope,
            systemIds,
            dueAt: isoFromLocal(due) ?? "",
            reminderDays: reminders
              .split(/[,\s]+/)
              .filter(Boolean)
              .map(Number),
            autoClose,
            remindOverdue,
          },
        }),
      ),
    onSuccess: async (made) => {
      await queryClient.invalidateQueries({ queryKey: accessKey });
      void navigate({ to: "/access/reviews/$id", params: { id: made.id } });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    const next: Record<string, string> = {};
    if (!name.trim()) next.name = "Give the campaign a name";
    if (!isoFromLocal(due)) next.dueAt = "Choose a due date";
    if (
      reminders
        .split(/[,\s]+/)
        .filter(Boolean)
        .some((d) => !/^\d+$/.test(d))
    )
      next.reminderDays = "Whole numbers of days, separated by commas";
    setMissing(next);
    if (Object.keys(next).length === 0) save.mutate();
  }
  const err = (f: string) => missing[f] ?? fieldError(save.error, f);
  return (
    <Modal opened onClose={onClose} title="New access review" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={err("name")}
            data-autofocus
          />
          <Textarea
            label="Description"
            autosize
            minRows={2}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={err("description")}
          />
          <div>
            <Text size="sm" fw={500} id="review-scope-label">
              Who reviews
            </Text>
            <SegmentedControl
              aria-labelledby="review-scope-label"
              value={scope}
              onChange={(v) => setScope(v === "system_owner" ? "system_owner" : "manager")}
              data={[
                { value: "manager", label: "Each manager, their reports' access" },
                { value: "system_owner", label: "Each system owner, their system" },
              ]}
            />
          </div>
          <MultiSelect
            label="Systems"
            description="Leave empty to review every system"
            data={(systems.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={systemIds}
            onChange={setSystemIds}
            searchable
            clearable
            error={err("systemIds")}
          />
          <TextInput
            label="Due"
            type="datetime-local"
            required
            value={due}
            onChange={(e) => setDue(e.currentTarget.value)}
            error={err("dueAt")}
          />
          <TextInput
            label="Remind reviewers this many days before the due date"
            value={reminders}
            onChange={(e) => setReminders(e.currentTarget.value)}
            error={err("reminderDays")}
          />
          <Switch
            label="Remind once a day while overdue"
            checked={remindOverdue}
            onChange={(e) => setRemindOverdue(e.currentTarget.checked)}
          />
          <Switch
            label="Close by itself at the due date (items nobody decided keep their access and are listed as not reviewed)"
            checked={autoClose}
            onChange={(e) => setAutoClose(e.currentTarget.checked)}
          />
          <ErrorAlert
            error={save.error}
            title="The campaign was not created"
            shownFields={["name", "description", "dueAt", "reminderDays", "systemIds"]}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Create as draft
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

const FILTERS = ["all", "draft", "active", "closed"] as const;

/** Access review campaigns with their progress; access admins create them. */
export function ReviewsPage() {
  const canAdmin = useCan("access:admin");
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>("all");
  const [creating, setCreating] = useState(false);
  const campaigns = useQuery(campaignsQuery(filter === "all" ? undefined : (filter as CampaignState)));
  const items = campaigns.data ?? [];

  return (
    <>
      <PageHeader
        title="Access reviews"
        description="Managers or system owners vouch for the access others hold; revocations go straight to the engine; the result is evidence."
        actions={
          <>
            <ButtonLink to="/access/my-reviews" variant="default">
              My reviews
            </ButtonLink>
            {canAdmin ? <Button onClick={() => setCreating(true)}>New campaign</Button> : null}
          </>
        }
      />
      <SegmentedControl
        mb="md"
        aria-label="Show campaigns"
        value={filter}
        onChange={(v) => setFilter(FILTERS.find((f) => f === v) ?? "all")}
        data={[
          { value: "all", label: "All" },
          { value: "draft", label: "Drafts" },
          { value: "active", label: "In progress" },
          { value: "closed", label: "Closed" },
        ]}
      />
      {campaigns.isPending ? <Loader aria-label="Loading the campaigns" /> : null}
      <ErrorAlert error={campaigns.error} title="Could not load the campaigns" />
      {campaigns.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title="No campaigns here"
          description={
            canAdmin
              ? "Create a campaign: choose who reviews (managers or system owners), the systems and a due date, then start it."
              : "Campaigns you review in appear here; your open items are under My reviews."
          }
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Access review campaigns" minWidth={900}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Campaign</Table.Th>
              <Table.Th scope="col">Who reviews</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">Progress</Table.Th>
              <Table.Th scope="col">Due</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((c) => {
              const p = c.progress;
              const share = p.total ? Math.round((p.decided / p.total) * 100) : 0;
              return (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <AnchorLink to="/access/reviews/$id" params={{ id: c.id }}>
                      {c.name}
                    </AnchorLink>
                    <Text size="xs" c="dimmed">
                      owner {c.ownerName}
                    </Text>
                  </Table.Td>
                  <Table.Td>{SCOPE_LABELS[c.scope] ?? c.scope}</Table.Td>
                  <Table.Td>
                    <LabelBadge
                      label={CAMPAIGN_STATE_LABELS[c.state]}
                      color={CAMPAIGN_STATE_COLORS[c.state]}
                    />
                  </Table.Td>
                  <Table.Td miw={180}>
                    {c.state === "draft" ? (
                      <Text size="sm" c="dimmed">
                        Not started
                      </Text>
                    ) : (
                      <>
                        <Progress value={share} size="sm" aria-label={`${p.decided} of ${p.total} decided`} />
                        <Text size="xs" mt={2}>
                          {p.decided}/{p.total} decided · {p.revoked} revoked
                          {p.overdue ? ` · ${p.overdue} overdue` : ""}
                        </Text>
                      </>
                    )}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDateTime(c.dueAt)}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {creating ? <NewCampaignModal onClose={() => setCreating(false)} /> : null}
    </>
  );
}
