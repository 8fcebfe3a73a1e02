import { Button, Group, List, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { cancelCampaign, phishingKey, scheduleCampaign } from "./queries";
import type { Campaign, ScheduleResult } from "./types";

function ScheduledModal({ result, onClose }: { result: ScheduleResult; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title="Campaign scheduled">
      <Stack>
        <Text role="status">
          {result.scheduled} mail(s) will go out during the window.
          {result.skipped.length ? ` ${result.skipped.length} person(s) in the audience were left out:` : ""}
        </Text>
        {result.skipped.length ? (
          <List size="sm" aria-label="People left out">
            {result.skipped.map((s) => (
              <List.Item key={s.personId}>
                {s.name}
                {s.email ? ` (${s.email})` : ""}: {s.reason}
              </List.Item>
            ))}
          </List>
        ) : null}
        <Group justify="flex-end">
          <Button onClick={onClose}>Close</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Schedule a draft (resolves the audience now) or cancel what has not been sent yet. */
export function CampaignActions({ campaign, size = "sm" }: { campaign: Campaign; size?: "xs" | "sm" }) {
  const qc = useQueryClient();
  const [result, setResult] = useState<ScheduleResult | null>(null);
  const invalidate = () => qc.invalidateQueries({ queryKey: phishingKey });
  const schedule = useMutation({
    mutationFn: () => scheduleCampaign(campaign.id),
    onSuccess: (r) => {
      setResult(r);
      void invalidate();
    },
  });
  const cancel = useMutation({ mutationFn: () => cancelCampaign(campaign.id), onSuccess: invalidate });
  const canCancel = campaign.status === "scheduled" || campaign.status === "sending";
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="nowrap">
        {campaign.status === "draft" ? (
          <ConfirmButton
            size={size}
            color="blue"
            variant="filled"
            question={`Schedule ${campaign.name}?`}
            confirmLabel="Schedule"
            loading={schedule.isPending}
            onConfirm={() => schedule.mutate()}
          >
            Schedule
          </ConfirmButton>
        ) : null}
        {canCancel ? (
          <ConfirmButton
            size={size}
            color="red"
            question="Cancel? Mails not sent yet are dropped."
            confirmLabel="Cancel campaign"
            loading={cancel.isPending}
            onConfirm={() => cancel.mutate()}
          >
            Cancel campaign
          </ConfirmButton>
        ) : null}
      </Group>
      <ErrorAlert error={schedule.error} title={`Could not schedule ${campaign.name}`} />
      <ErrorAlert error={cancel.error} title={`Could not cancel ${campaign.name}`} />
      {result ? <ScheduledModal result={result} onClose={() => setResult(null)} /> : null}
    </Stack>
  );
}
