import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDate, formatDateTime } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { OUTCOME_LABELS } from "./labels";
import { hrCaseQuery, hrCasesKey } from "./queries";
import { UserPicker } from "./UserPicker";

const routeApi = getRouteApi("/authed/hr-cases/$id");
type Outcome = keyof typeof OUTCOME_LABELS;

/** One confidential case: details, notes, members, and closing with an outcome. */
export function HrCasePage() {
  const { id } = routeApi.useParams();
  const isHr = useCan("hr_cases:manage");
  const queryClient = useQueryClient();
  const c = useQuery(hrCaseQuery(id));
  const invalidate = () => queryClient.invalidateQueries({ queryKey: hrCasesKey });
  const [note, setNote] = useState("");
  const addNote = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/hr-cases/{id}/notes", { params: { path: { id } }, body: { text: note } }),
      ),
    onSuccess: async () => {
      setNote("");
      await invalidate();
    },
  });
  const [member, setMember] = useState<string | null>(null);
  const addMember = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/hr-cases/{id}/members", {
          params: { path: { id } },
          body: { userId: member ?? "" },
        }),
      ),
    onSuccess: async () => {
      setMember(null);
      await invalidate();
    },
  });
  const removeMember = useMutation({
    mutationFn: async (userId: string) =>
      expectData(
        await api.DELETE("/api/v1/hr-cases/{id}/members/{userId}", { params: { path: { id, userId } } }),
      ),
    onSuccess: invalidate,
  });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const close = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/hr-cases/{id}/close", {
          params: { path: { id } },
          body: { outcome: outcome ?? "no_action" },
        }),
      ),
    onSuccess: invalidate,
  });
  if (c.isPending) return <Loader aria-label="Loading the case" />;
  if (!c.data)
    return <ErrorAlert error={c.error} title="This case does not exist or is not shared with you" />;
  const k = c.data;
  const open = k.status === "open";
  const submitNote = (e: FormEvent) => {
    e.preventDefault();
    addNote.mutate();
  };
  return (
    <>
      <PageHeader
        title={`${k.reference}: ${k.title}`}
        description={
          <Group gap="xs" component="span">
            {open ? (
              <Badge color="blue">Open</Badge>
            ) : (
              <Badge color="gray">Closed: {k.outcome ? OUTCOME_LABELS[k.outcome] : ""}</Badge>
            )}
            <Text span size="sm">
              Source: {k.source} · opened {formatDateTime(k.createdAt)}
              {k.purgeAfter ? ` · deleted after ${formatDate(k.purgeAfter)}` : ""}
            </Text>
          </Group>
        }
      />
      <Alert color="gray" variant="light" mb="md">
        Confidential. Your opening of this case was recorded. Share it only by adding members here.
      </Alert>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Details
          </Title>
          <Text style={{ whiteSpace: "pre-wrap" }}>{k.details || "No details."}</Text>
          <Title order={2} size="h4" mt="md" mb="xs">
            Notes
          </Title>
          {k.notes.length ? (
            <Stack gap="xs">
              {k.notes.map((n) => (
                <Card key={n.id} withBorder padding="xs">
                  <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
                    {n.text}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {formatDateTime(n.createdAt)}
                  </Text>
                </Card>
              ))}
            </Stack>
          ) : (
            <Text c="dimmed">No notes yet.</Text>
          )}
          {open ? (
            <form onSubmit={submitNote}>
              <Stack gap="xs" mt="md">
                <Textarea
                  label="Add a note"
                  autosize
                  minRows={2}
                  required
                  value={note}
                  onChange={(e) => setNote(e.currentTarget.value)}
                />
                <ErrorAlert error={addNote.error} title="Could not add the note" />
                <Group justify="flex-end">
                  <Button type="submit" loading={addNote.isPending}>
                    Add note
                  </Button>
                </Group>
              </Stack>
            </form>
          ) : null}
        </Card>
        <Stack>
          <Card withBorder>
            <Title order={2} size="h4" mb="xs">
              Members
            </Title>
            {k.members.length ? (
              <List>
                {k.members.map((m) => (
                  <List.Item key={m.userId}>
                    {m.displayName}{" "}
                    {isHr ? (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="red"
                        onClick={() => removeMember.mutate(m.userId)}
                        aria-label={`Remove ${m.displayName}`}
                      >
                        Remove
                      </Button>
                    ) : null}
                  </List.Item>
                ))}
              </List>
            ) : (
              <Text c="dimmed">Only HR can see this case.</Text>
            )}
            {isHr ? (
              <Group align="flex-end" mt="sm">
                <UserPicker label="Add a member" value={member} onChange={setMember} />
                <Button disabled={!member} loading={addMember.isPending} onClick={() => addMember.mutate()}>
                  Add
                </Button>
              </Group>
            ) : null}
            <ErrorAlert error={addMember.error ?? removeMember.error} title="Could not change the members" />
          </Card>
          {isHr && open ? (
            <Card withBorder>
              <Title order={2} size="h4" mb="xs">
                Close the case
              </Title>
              <Group align="flex-end">
                <Select
                  label="Outcome"
                  data={Object.entries(OUTCOME_LABELS).map(([value, label]) => ({ value, label }))}
                  value={outcome}
                  onChange={(v) => setOutcome(v as Outcome | null)}
                />
                <Button
                  color="gray"
                  disabled={!outcome}
                  loading={close.isPending}
                  onClick={() => close.mutate()}
                >
                  Close case
                </Button>
              </Group>
              <Text size="xs" c="dimmed" mt="xs">
                A closed case is deleted automatically after the retention period. "More training" lets the
                awareness programme assign training.
              </Text>
              <ErrorAlert error={close.error} title="Could not close the case" />
            </Card>
          ) : null}
        </Stack>
      </SimpleGrid>
    </>
  );
}
