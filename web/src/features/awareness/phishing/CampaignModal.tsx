import {
  Button,
  Grid,
  Group,
  Modal,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { ErrorAlert, fieldError } from "../../../components/ErrorAlert";
import { AudienceFields, EVERYONE } from "../AudienceFields";
import { modulesQuery } from "../queries";
import { fromLocalInput, lureLabel, toLocalInput } from "./labels";
import { MailPreview } from "./MailPreview";
import { createCampaign, phishingKey, previewTemplate, templatesQuery, updateCampaign } from "./queries";
import type { Campaign, CampaignBody } from "./types";

const SHOWN = ["name", "templateId", "windowStart", "windowEnd", "followUpModuleId", "trackDays"];

function defaults(): CampaignBody {
  const start = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
  return {
    name: "",
    templateId: "",
    audience: EVERYONE,
    windowStart: start.toISOString(),
    windowEnd: new Date(start.getTime() + 3 * 86_400_000).toISOString(),
    followUpModuleId: null,
    trackDays: 30,
  };
}

function fromCampaign(c: Campaign): CampaignBody {
  return {
    name: c.name,
    templateId: c.templateId,
    audience: c.audience,
    windowStart: c.windowStart,
    windowEnd: c.windowEnd,
    followUpModuleId: c.followUpModuleId,
    trackDays: c.trackDays,
  };
}

function TemplatePreviewPane({ templateId }: { templateId: string }) {
  const preview = useQuery({
    queryKey: [...phishingKey, "template", templateId, "preview", "sample"],
    queryFn: () => previewTemplate(templateId),
    enabled: templateId !== "",
  });
  if (!templateId) {
    return (
      <Text c="dimmed" size="sm">
        Pick a template to see the mail people will receive.
      </Text>
    );
  }
  return (
    <>
      <ErrorAlert error={preview.error} title="Could not render the preview" />
      {preview.data ? <MailPreview preview={preview.data} height={320} /> : null}
    </>
  );
}

/** A new campaign (a draft), or changes to a draft: template, audience, sending window, follow-up. */
export function CampaignModal({ campaign, onClose }: { campaign?: Campaign; onClose: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<CampaignBody>(() => (campaign ? fromCampaign(campaign) : defaults()));
  const templates = useQuery(templatesQuery({}, 0));
  const modules = useQuery(modulesQuery({ status: "published" }, 0));
  const set = (patch: Partial<CampaignBody>) => setDraft((d) => ({ ...d, ...patch }));
  const save = useMutation({
    mutationFn: () => (campaign ? updateCampaign(campaign.id, draft) : createCampaign(draft)),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: phishingKey });
      onClose();
      if (!campaign) void navigate({ to: "/awareness/phishing/campaigns/$id", params: { id: c.id } });
    },
  });
  const err = (f: string) => fieldError(save.error, f);
  return (
    <Modal
      opened
      onClose={onClose}
      title={campaign ? `Change ${campaign.name}` : "New phishing campaign"}
      size="90rem"
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, md: 7 }}>
            <Stack>
              <TextInput
                label="Campaign name"
                required
                value={draft.name}
                onChange={(e) => set({ name: e.currentTarget.value })}
                error={err("name")}
              />
              <Select
                label="Template"
                required
                searchable
                nothingFoundMessage="No template matches"
                data={(templates.data?.items ?? [])
                  .filter((t) => !t.archived)
                  .map((t) => ({ value: t.id, label: `${t.name} (${lureLabel(t.lure)}, ${t.difficulty})` }))}
                value={draft.templateId || null}
                onChange={(v) => set({ templateId: v ?? "" })}
                error={err("templateId")}
              />
              <Text size="sm" fw={500}>
                Who receives it
              </Text>
              <AudienceFields
                value={draft.audience}
                onChange={(audience) => set({ audience })}
                error={save.error}
              />
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput
                  type="datetime-local"
                  label="Sending starts"
                  required
                  value={toLocalInput(draft.windowStart)}
                  onChange={(e) => set({ windowStart: fromLocalInput(e.currentTarget.value) })}
                  error={err("windowStart")}
                />
                <TextInput
                  type="datetime-local"
                  label="Sending ends"
                  description="Mails go out at random moments in between."
                  required
                  value={toLocalInput(draft.windowEnd)}
                  onChange={(e) => set({ windowEnd: fromLocalInput(e.currentTarget.value) })}
                  error={err("windowEnd")}
                />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <Select
                  label="Follow-up training after a click"
                  description="Empty: the follow-up assignment rules decide."
                  clearable
                  searchable
                  data={(modules.data?.items ?? []).map((m) => ({ value: m.id, label: m.title }))}
                  value={draft.followUpModuleId ?? null}
                  onChange={(v) => set({ followUpModuleId: v })}
                  error={err("followUpModuleId")}
                />
                <NumberInput
                  label="Tracking days after the window"
                  description="Clicks after that are not counted."
                  min={1}
                  max={365}
                  value={draft.trackDays}
                  onChange={(v) => set({ trackDays: typeof v === "number" ? v : Number(v) || 30 })}
                  error={err("trackDays")}
                />
              </SimpleGrid>
              <ErrorAlert
                error={save.error}
                title={campaign ? "Could not save the campaign" : "Could not create the campaign"}
                shownFields={SHOWN}
              />
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Stack gap="xs">
              <Text size="sm" fw={500}>
                The mail (sample values)
              </Text>
              <TemplatePreviewPane templateId={draft.templateId} />
            </Stack>
          </Grid.Col>
        </Grid>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {campaign ? "Save draft" : "Create draft"}
          </Button>
        </Group>
      </form>
    </Modal>
  );
}
