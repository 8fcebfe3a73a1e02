import { Button, Card, Grid, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { useCan } from "../../../app/session";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { formatDateTime } from "../../../components/format";
import { ButtonLink } from "../../../components/links";
import { PageHeader } from "../../../components/PageHeader";
import { PersonPicker } from "../../people/PersonPicker";
import { MailPreview } from "./MailPreview";
import { archiveTemplate, phishingKey, previewTemplate, templateQuery, updateTemplate } from "./queries";
import { TEMPLATE_FIELDS, TemplateFields, toTemplateBody } from "./TemplateFields";
import type { Template, TemplateBody } from "./types";

const routeApi = getRouteApi("/authed/awareness/phishing/templates/$id");

/** The saved template as a mail: for sample values, or for one person. */
function SavedPreview({ template }: { template: Template }) {
  const [person, setPerson] = useState<{ id: string; label: string | null } | null>(null);
  const preview = useQuery({
    queryKey: [...phishingKey, "template", template.id, "preview", template.updatedAt, person?.id ?? null],
    queryFn: () => previewTemplate(template.id, person?.id),
  });
  return (
    <Stack gap="sm">
      <Title order={2} size="h4">
        Preview
      </Title>
      <PersonPicker
        label="As received by"
        description="Empty: sample values. The preview shows the saved version."
        value={person?.id ?? null}
        valueLabel={person?.label}
        onChange={(id, label) => setPerson(id ? { id, label } : null)}
      />
      {preview.isPending ? <Loader aria-label="Rendering the preview" /> : null}
      <ErrorAlert error={preview.error} title="Could not render the preview" />
      {preview.data ? (
        <MailPreview preview={preview.data} fromName={template.fromName} fromAddress={template.fromAddress} />
      ) : null}
    </Stack>
  );
}

function Editor({ template, canRun }: { template: Template; canRun: boolean }) {
  const qc = useQueryClient();
  const [form, setForm] = useState<TemplateBody>(() => toTemplateBody(template));
  const readOnly = !canRun || template.archived;
  const invalidate = () => qc.invalidateQueries({ queryKey: phishingKey });
  const save = useMutation({ mutationFn: () => updateTemplate(template.id, form), onSuccess: invalidate });
  const archive = useMutation({ mutationFn: () => archiveTemplate(template.id), onSuccess: invalidate });
  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <Card withBorder padding="md">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate();
            }}
          >
            <Stack>
              <TemplateFields
                value={form}
                onChange={(p) => setForm((f) => ({ ...f, ...p }))}
                error={save.error}
                readOnly={readOnly}
              />
              <ErrorAlert error={save.error} title="Could not save" shownFields={TEMPLATE_FIELDS} />
              <ErrorAlert error={archive.error} title="Could not archive" />
              {save.isSuccess && !save.isPending ? (
                <Text size="sm" role="status" c="teal.9">
                  Saved.
                </Text>
              ) : null}
              {!readOnly ? (
                <Group justify="space-between">
                  <ConfirmButton
                    color="red"
                    question="Archive this template? Running campaigns keep it."
                    confirmLabel="Archive"
                    loading={archive.isPending}
                    onConfirm={() => archive.mutate()}
                  >
                    Archive
                  </ConfirmButton>
                  <Button type="submit" loading={save.isPending}>
                    Save template
                  </Button>
                </Group>
              ) : null}
            </Stack>
          </form>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 5 }}>
        {canRun ? (
          <SavedPreview template={template} />
        ) : (
          <Stack gap="sm">
            <Title order={2} size="h4">
              The saved mail, merge fields unfilled
            </Title>
            <MailPreview
              preview={{ subject: template.subject, html: template.bodyHtml, text: template.bodyText }}
              fromName={template.fromName}
              fromAddress={template.fromAddress}
            />
          </Stack>
        )}
      </Grid.Col>
    </Grid>
  );
}

/** One phishing template: edit, preview (sandboxed), archive. */
export function TemplatePage() {
  const { id } = routeApi.useParams();
  const canRun = useCan("phishing:run");
  const t = useQuery(templateQuery(id));
  return (
    <>
      <PageHeader
        title={t.data?.name ?? "Phishing template"}
        description={
          t.data
            ? `${t.data.archived ? "Archived. " : ""}Used by ${t.data.campaigns} campaign(s); last changed ${formatDateTime(t.data.updatedAt)}.`
            : undefined
        }
        actions={
          <ButtonLink to="/awareness/phishing/templates" variant="default">
            All templates
          </ButtonLink>
        }
      />
      {t.isPending ? <Loader aria-label="Loading the template" /> : null}
      <ErrorAlert error={t.error} title="Could not load the template" />
      {t.data ? <Editor key={t.data.id} template={t.data} canRun={canRun} /> : null}
    </>
  );
}
