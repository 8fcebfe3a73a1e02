import { Alert, Button, Group, List, Modal, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { accessKey } from "./queries";

/** The strong confirmation before revoking everything at once: say what happens, type the name. */
export function RevokeNowModal({
  personId,
  personName,
  confirmText,
  onClose,
}: {
  personId: string;
  personName: string;
  /** What must be typed to confirm: the person's name, or a fixed word when the name is not known. */
  confirmText: string;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState("");
  const [reason, setReason] = useState("");
  const matches = typed.trim().toLowerCase() === confirmText.trim().toLowerCase();
  const revoke = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/access/people/{id}/revoke-now", {
          params: { path: { id: personId } },
          body: { reason: reason.trim() || undefined },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: accessKey });
      onClose();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (matches) revoke.mutate();
  }

  return (
    <Modal opened onClose={onClose} title={`Revoke all access of ${personName} now`} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Alert color="red" variant="light" title="This takes effect immediately">
            <List size="sm" spacing={4}>
              <List.Item>Every account of {personName} is disabled, on every system, now.</List.Item>
              <List.Item>Every entitlement is revoked and sessions are ended where the system can.</List.Item>
              <List.Item>The leaver tasks (laptop, phone, badge, shared credentials) are opened.</List.Item>
              <List.Item>
                It does not wait for HR's effective date and the circuit breaker never holds it back.
              </List.Item>
              <List.Item>
                Their access stays empty until HR records a rehire. The action is recorded in the audit log
                under your name.
              </List.Item>
            </List>
          </Alert>
          <ErrorAlert error={revoke.error} title="Could not revoke the access" shownFields={["reason"]} />
          <Textarea
            label="Reason"
            description="Recorded in the audit log with the action"
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <TextInput
            label={`Type ${confirmText} to confirm`}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            data-autofocus
          />
          <Text size="xs" c="dimmed">
            The button is enabled once the text matches.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" disabled={!matches} loading={revoke.isPending}>
              Revoke all access now
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
