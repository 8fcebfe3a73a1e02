import { Progress, Stack, Text } from "@mantine/core";

/** Upload progress (measured), then the server's work (shown as ongoing: it reports no steps). */
export function SendProgress({ uploaded, what, lines }: { uploaded: number; what: string; lines: number }) {
  const sending = uploaded < 1;
  const percent = Math.round(uploaded * 100);
  return (
    <Stack gap="xs" maw={640}>
      <Text role="status" size="sm">
        {sending
          ? `Uploading the file: ${percent}%`
          : `${what} about ${lines.toLocaleString()} people on the server… this can take a minute for large files.`}
      </Text>
      <Progress
        value={sending ? percent : 100}
        striped={!sending}
        animated={!sending}
        size="lg"
        aria-label={sending ? "Upload progress" : `${what} on the server`}
      />
    </Stack>
  );
}
