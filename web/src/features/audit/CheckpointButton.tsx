import { Button, Code, Group, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";
import type { CheckpointResult } from "../../api/types";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTimeSeconds } from "../../components/format";

/** Signs the current head of the hash chain so later tampering can be detected. */
export function CheckpointButton() {
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: async () => expectData(await api.POST("/api/v1/audit/checkpoints")),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["audit"] }),
  });
  const open = create.isSuccess || create.isError;
  return (
    <>
      <Button variant="light" loading={create.isPending} onClick={() => create.mutate()}>
        Create checkpoint
      </Button>
      <Modal opened={open} onClose={() => create.reset()} title="Audit checkpoint" size="lg">
        <ErrorAlert error={create.error} title="Could not create a checkpoint" />
        {create.data ? <CheckpointDetails result={create.data} /> : null}
        <Group justify="flex-end" mt="md">
          <Button onClick={() => create.reset()}>Close</Button>
        </Group>
      </Modal>
    </>
  );
}

function CheckpointDetails({ result }: { result: CheckpointResult }) {
  const { checkpoint, exportedTo } = result;
  return (
    <Stack gap="xs">
      <Text>
        The log up to entry #{checkpoint.seq} was signed at {formatDateTimeSeconds(checkpoint.signedAt)}. Keep
        the values below outside Tandem to prove the log was not changed later.
      </Text>
      <Text fw={600}>Chain hash</Text>
      <Code block style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>
        {checkpoint.hash}
      </Code>
      <Text fw={600}>Signature</Text>
      <Code block style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>
        {checkpoint.signature}
      </Code>
      <Text fw={600}>Signing key</Text>
      <Code>{checkpoint.keyId}</Code>
      {exportedTo.length > 0 ? <Text size="sm">Also exported to: {exportedTo.join(", ")}</Text> : null}
    </Stack>
  );
}
