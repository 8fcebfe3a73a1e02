import {
  Button,
  Card,
  Group,
  Loader,
  NumberInput,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDate, formatDateTime } from "../../components/format";
import { ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { AudienceFields } from "./AudienceFields";
import { SafeHtml, StatusBadge } from "./badges";
import { awarenessKey, policyQuery, policyVersionQuery } from "./queries";
import type { Audience, Policy } from "./types";

const routeApi = getRouteApi("/authed/awareness/admin/policies/$id");

function Details({ policy, canWrite }: { policy: Policy; canWrite: boolean }) {
  const qc = useQueryClient();
  const [form, setForm] = useState({
    title: policy.title,
    owner: policy.owner,
    reviewDue: policy.reviewDue,
    ackDueDays: policy.ackDueDays,
    audience: policy.audience as Audience,
  });
  const save = useMutation({
    mutationFn: async () =>
      expectData(
        await api.PATCH("/api/v1/awareness/policies/{id}", {
          params: { path: { id: policy.id } },
          body: form,
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: awarenessKey }),
  });
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="policy-details">
      <Title order={2} size="h4" id="policy-details" mb="sm">
        Details and audience
      </Title>
      <Stack>
        <Group grow>
          <TextInput
            label="Title"
            value={form.title}
            disabled={!canWrite}
            onChange={(e) => setForm({ ...form, title: e.currentTarget.value })}
            error={fieldError(save.error, "body.title")}
          />
          <TextInput
            label="Owner"
            value={form.owner}
            disabled={!canWrite}
            onChange={(e) => setForm({ ...form, owner: e.currentTarget.value })}
          />
          <TextInput
            label="Review due"
            type="date"
            value={form.reviewDue}
            disabled={!canWrite}
            onChange={(e) => setForm({ ...form, reviewDue: e.currentTarget.value })}
          />
          <NumberInput
            label="Days to acknowledge"
            min={1}
            max={365}
            value={form.ackDueDays}
            disabled={!canWrite}
            onChange={(v) => setForm({ ...form, ackDueDays: Number(v) || 14 })}
          />
        </Group>
        <AudienceFields
          value={form.audience}
          onChange={(audience) => setForm({ ...form, audience })}
          error={save.error}
        />
        <Text size="xs" c="dimmed">
          A changed audience applies from the next published version (or assign the current one on the
          compliance page).
        </Text>
        <ErrorAlert error={save.error} title="Could not save" />
        {canWrite ? (
          <Group>
            <Button variant="light" loading={save.isPending} onClick={() => save.mutate()}>
              Save details
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Card>
  );
}

function DraftEditor({ policy }: { policy: Policy }) {
  const qc = useQueryClient();
  const base = policy.draftVersion ?? policy.currentVersion ?? 1;
  const source = useQuery(policyVersionQuery(policy.id, base));
  const [body, setBody] = useState<string | null>(null);
  const [note, setNote] = useState("");
  useEffect(() => {
    if (source.data && body === null) setBody(source.data.bodyMd);
  }, [source.data, body]);
  const invalidate = () => qc.invalidateQueries({ queryKey: awarenessKey });
  const save = useMutation({
    mutationFn: async () =>
      expectData(
        await api.PUT("/api/v1/awareness/policies/{id}/draft", {
          params: { path: { id: policy.id } },
          body: { body: body ?? "", changeNote: note },
        }),
      ),
    onSuccess: invalidate,
  });
  const publish = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/awareness/policies/{id}/publish", { params: { path: { id: policy.id } } }),
      ),
    onSuccess: invalidate,
  });
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="policy-draft">
      <Title order={2} size="h4" id="policy-draft" mb="sm">
        {policy.draftVersion
          ? `Draft of version ${policy.draftVersion}`
          : `Write version ${(policy.currentVersion ?? 0) + 1}`}
      </Title>
      <Stack>
        <Textarea
          label="Text (Markdown)"
          autosize
          minRows={12}
          value={body ?? ""}
          onChange={(e) => setBody(e.currentTarget.value)}
          error={fieldError(save.error, "body.body")}
        />
        <TextInput label="What changed" value={note} onChange={(e) => setNote(e.currentTarget.value)} />
        <ErrorAlert error={save.error ?? publish.error} title="Could not save or publish" />
        <Group>
          <Button variant="light" loading={save.isPending} onClick={() => save.mutate()}>
            Save draft
          </Button>
          {policy.draftVersion ? (
            <ConfirmButton
              question={`Publish version ${policy.draftVersion}? Everyone in the audience is asked to accept it.`}
              confirmLabel="Publish"
              loading={publish.isPending}
              onConfirm={() => publish.mutate()}
            >
              Publish version {policy.draftVersion}
            </ConfirmButton>
          ) : null}
        </Group>
        {publish.data ? (
          <Text size="sm">Published: {publish.data.asked} people asked to accept it.</Text>
        ) : null}
      </Stack>
    </Card>
  );
}

/** One policy for authors: details, audience, the draft editor, publish, retire and its versions. */
export function PolicyPage() {
  const { id } = routeApi.useParams();
  const qc = useQueryClient();
  const canWrite = useCan("awareness:author");
  const policy = useQuery(policyQuery(id));
  const [shown, setShown] = useState<number | null>(null);
  const version = useQuery({ ...policyVersionQuery(id, shown ?? 1), enabled: shown !== null });
  const retire = useMutation({
    mutationFn: async () =>
      expectData(await api.POST("/api/v1/awareness/policies/{id}/retire", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: awarenessKey }),
  });
  const p = policy.data;
  return (
    <>
      <PageHeader
        title={p?.title ?? "Policy"}
        description={
          p
            ? `${p.acknowledged} of ${p.asked} accepted the current version; ${p.overdue} overdue.`
            : undefined
        }
        actions={
          <>
            <ButtonLink to="/awareness/admin/policies" variant="default">
              All policies
            </ButtonLink>
            {p && canWrite && p.status !== "retired" ? (
              <ConfirmButton
                color="red"
                question="Retire this policy? Open requests are closed."
                confirmLabel="Retire"
                onConfirm={() => retire.mutate()}
                loading={retire.isPending}
              >
                Retire
              </ConfirmButton>
            ) : null}
          </>
        }
      />
      {policy.isPending ? <Loader aria-label="Loading the policy" /> : null}
      <ErrorAlert error={policy.error ?? retire.error} title="Could not load or change the policy" />
      {p ? (
        <Stack gap="md">
          <Group>
            <StatusBadge status={p.status} />
            <Text size="sm">
              Review due {formatDate(p.reviewDue)}
              {p.reviewOverdue ? " (overdue)" : ""}
            </Text>
          </Group>
          <Details key={p.updatedAt} policy={p} canWrite={canWrite} />
          {canWrite && p.status !== "retired" ? (
            <DraftEditor key={`${p.id}-${p.draftVersion}-${p.currentVersion}`} policy={p} />
          ) : null}
          <Card withBorder padding="md" component="section" aria-labelledby="policy-versions">
            <Title order={2} size="h4" id="policy-versions" mb="sm">
              Versions
            </Title>
            <ScrollTable label="Versions" minWidth={560}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Version</Table.Th>
                  <Table.Th>What changed</Table.Th>
                  <Table.Th>Published</Table.Th>
                  <Table.Th>Text</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {p.versions.map((v) => (
                  <Table.Tr key={v.version}>
                    <Table.Td>
                      {v.version}
                      {v.version === p.currentVersion ? " (current)" : ""}
                    </Table.Td>
                    <Table.Td>{v.changeNote || "—"}</Table.Td>
                    <Table.Td>
                      {v.publishedAt
                        ? `${formatDateTime(v.publishedAt)} by ${v.publishedBy ?? "—"}`
                        : "draft"}
                    </Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="subtle" onClick={() => setShown(v.version)}>
                        Show
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </ScrollTable>
            {version.data ? (
              <Card withBorder mt="md" padding="md">
                <Text fw={600} mb="xs">
                  Version {version.data.version}
                </Text>
                <SafeHtml html={version.data.bodyHtml} />
              </Card>
            ) : null}
          </Card>
        </Stack>
      ) : null}
    </>
  );
}
