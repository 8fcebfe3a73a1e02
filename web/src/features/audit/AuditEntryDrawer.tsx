import { Button, Code, CopyButton, Drawer, Stack, Text } from "@mantine/core";
import type { AuditEntry } from "../../api/types";

export function AuditEntryDrawer({ entry, onClose }: { entry: AuditEntry | null; onClose: () => void }) {
  const json = entry ? JSON.stringify(entry, null, 2) : "";
  return (
    <Drawer
      opened={entry !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={entry ? `Audit entry #${entry.seq}` : "Audit entry"}
    >
      {entry ? (
        <Stack gap="sm">
          <Text size="sm">
            <Code>{entry.action}</Code> by {entry.actorLabel ?? entry.actorId ?? "system"}
          </Text>
          <Code
            block
            aria-label="Full audit entry as JSON"
            style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}
          >
            {json}
          </Code>
          <CopyButton value={json} timeout={2000}>
            {({ copied, copy }) => (
              <Button variant="light" onClick={copy} w="fit-content">
                {copied ? "Copied" : "Copy JSON"}
              </Button>
            )}
          </CopyButton>
        </Stack>
      ) : null}
    </Drawer>
  );
}
