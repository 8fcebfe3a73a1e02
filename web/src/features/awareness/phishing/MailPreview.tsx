import { Card, Code, Group, SegmentedControl, Stack, Text } from "@mantine/core";
import { useState } from "react";
import type { Preview } from "./types";

/**
 * A rendered simulation mail. The HTML part is shown only inside an iframe with an empty
 * `sandbox` (no scripts, no forms, no navigation, its own origin) from `srcdoc`; it is never
 * put into this page's DOM.
 */
export function MailPreview({
  preview,
  fromName,
  fromAddress,
  height = 420,
}: {
  preview: Preview;
  fromName?: string;
  fromAddress?: string;
  height?: number;
}) {
  const [part, setPart] = useState<"html" | "text">("html");
  return (
    <Card withBorder padding="sm">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Stack gap={0}>
            {fromAddress ? (
              <Text size="sm">
                <Text span c="dimmed" size="sm">
                  From:{" "}
                </Text>
                {fromName ? `${fromName} <${fromAddress}>` : fromAddress}
              </Text>
            ) : null}
            <Text size="sm">
              <Text span c="dimmed" size="sm">
                Subject:{" "}
              </Text>
              <strong>{preview.subject}</strong>
            </Text>
          </Stack>
          <SegmentedControl
            size="xs"
            aria-label="Part of the mail to show"
            value={part}
            onChange={(v) => setPart(v as "html" | "text")}
            data={[
              { value: "html", label: "HTML" },
              { value: "text", label: "Plain text" },
            ]}
          />
        </Group>
        {part === "html" ? (
          <iframe
            title={`Preview of the mail: ${preview.subject}`}
            sandbox=""
            srcDoc={preview.html}
            referrerPolicy="no-referrer"
            style={{
              width: "100%",
              height,
              border: "1px solid var(--mantine-color-gray-3)",
              background: "white",
            }}
          />
        ) : (
          <Code block style={{ whiteSpace: "pre-wrap", maxHeight: height, overflow: "auto" }}>
            {preview.text}
          </Code>
        )}
      </Stack>
    </Card>
  );
}
