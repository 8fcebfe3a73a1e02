import { Alert, Button, Code, CopyButton, Group, Stack, Text } from "@mantine/core";

interface OneTimeSecretProps {
  /** What the value is, e.g. "Setup link" or "Token". */
  label: string;
  value: string;
  /** Why it is shown only once and what to do with it. */
  warning: string;
}

/** A value the server reveals once (setup link, API token, recovery codes) with a copy button. */
export function OneTimeSecret({ label, value, warning }: OneTimeSecretProps) {
  return (
    <Stack gap="sm">
      <Alert color="yellow" variant="light" title="Shown only once">
        {warning}
      </Alert>
      <Text fw={600} component="p" m={0}>
        {label}
      </Text>
      <Code block style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }} aria-label={label}>
        {value}
      </Code>
      <Group>
        <CopyButton value={value} timeout={2000}>
          {({ copied, copy }) => (
            <Button onClick={copy} variant={copied ? "light" : "filled"} color={copied ? "teal" : undefined}>
              {copied ? "Copied" : `Copy ${label.toLowerCase()}`}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}
