import {
  Badge,
  Button,
  Checkbox,
  EmptyState,
  Group,
  Loader,
  Modal,
  Stack,
  Table,
  TextInput,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useCan } from "../../../app/session";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { formatDate } from "../../../components/format";
import { AnchorLink } from "../../../components/links";
import { PageHeader } from "../../../components/PageHeader";
import { ScrollTable } from "../../../components/ScrollTable";
import { Pager } from "../Pager";
import { lureLabel } from "./labels";
import { createTemplate, phishingKey, templatesQuery } from "./queries";
import { EMPTY_TEMPLATE, TEMPLATE_FIELDS, TemplateFields } from "./TemplateFields";
import type { TemplateBody } from "./types";

function NewTemplateModal({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<TemplateBody>(EMPTY_TEMPLATE);
  const create = useMutation({
    mutationFn: () => createTemplate(draft),
    onSuccess: (t) => {
      void qc.invalidateQueries({ queryKey: phishingKey });
      onClose();
      void navigate({ to: "/awareness/phishing/templates/$id", params: { id: t.id } });
    },
  });
  return (
    <Modal opened onClose={onClose} title="New phishing template" size="xl">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <TemplateFields
            value={draft}
            onChange={(p) => setDraft((d) => ({ ...d, ...p }))}
            error={create.error}
          />
          <ErrorAlert
            error={create.error}
            title="Could not create the template"
            shownFields={TEMPLATE_FIELDS}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create template
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Simulation mails with their landing page and lesson; starters come with Tandem. */
export function TemplatesPage() {
  const canRun = useCan("phishing:run");
  const [q, setQ] = useState("");
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const [archived, setArchived] = useState(false);
  const [page, setPage] = useState(0);
  const [creating, setCreating] = useState(false);
  const list = useQuery(templatesQuery({ q: debounced || undefined, includeArchived: archived }, page));
  return (
    <>
      <PageHeader
        title="Phishing templates"
        description="The simulated mails, the page a click lands on and the lesson shown after it."
        actions={canRun ? <Button onClick={() => setCreating(true)}>New template</Button> : null}
      />
      <Group mb="md" align="flex-end">
        <TextInput
          label="Search"
          placeholder="Name or subject"
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
            setPage(0);
          }}
        />
        <Checkbox
          mb={8}
          label="Show archived"
          checked={archived}
          onChange={(e) => {
            setArchived(e.currentTarget.checked);
            setPage(0);
          }}
        />
      </Group>
      {list.isPending ? <Loader aria-label="Loading templates" /> : null}
      <ErrorAlert error={list.error} title="Could not load the templates" />
      {list.data && list.data.items.length === 0 ? (
        <EmptyState
          my="xl"
          title={debounced ? "No template matches" : "No templates yet"}
          description={
            debounced
              ? "Try another search."
              : canRun
                ? "Create one, or run `tandem awareness seed` for the starter templates."
                : "Security or HR add templates here."
          }
        />
      ) : null}
      {list.data?.items.length ? (
        <>
          <ScrollTable label="Phishing templates">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Template</Table.Th>
                <Table.Th>Lure</Table.Th>
                <Table.Th>Difficulty</Table.Th>
                <Table.Th>Subject</Table.Th>
                <Table.Th>Campaigns</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>
                    <AnchorLink to="/awareness/phishing/templates/$id" params={{ id: t.id }}>
                      {t.name}
                    </AnchorLink>
                    {t.archived ? (
                      <Badge ml="xs" color="gray" variant="light" radius="sm">
                        Archived
                      </Badge>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{lureLabel(t.lure)}</Table.Td>
                  <Table.Td>{t.difficulty}</Table.Td>
                  <Table.Td>{t.subject}</Table.Td>
                  <Table.Td>{t.campaigns}</Table.Td>
                  <Table.Td>{formatDate(t.updatedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </ScrollTable>
          <Pager page={page} total={list.data.total} onChange={setPage} />
        </>
      ) : null}
      {creating ? <NewTemplateModal onClose={() => setCreating(false)} /> : null}
    </>
  );
}
