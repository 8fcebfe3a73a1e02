import { Badge, Card, Code, DataList, Group, SimpleGrid, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { formatDateTime } from "../../components/format";
import { CriticalityBadge, EnabledBadge } from "./badges";
import { CLASSIFICATION_LABELS, USERNAME_RULE_LABELS } from "./labels";
import { PersonName } from "./PersonName";
import type { System } from "./types";

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

function settingText(value: unknown): string {
  if (typeof value === "string") return value || "(empty)";
  return JSON.stringify(value);
}

/** The system's facts, its connector settings (never secrets) and which secrets are set. */
export function SystemDetails({ system, typeLabel }: { system: System; typeLabel: string }) {
  const settings = Object.entries(system.config);
  const secrets = Object.entries(system.secretsSet);
  return (
    <Card withBorder padding="lg" mb="lg" component="section" aria-label="System details">
      <Group gap="xs" mb="sm">
        <EnabledBadge enabled={system.enabled} />
        <CriticalityBadge criticality={system.criticality} />
      </Group>
      {system.description ? (
        <Text size="sm" mb="sm">
          {system.description}
        </Text>
      ) : null}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
        <DataList labelWidth={150}>
          <Item label="Connector">{typeLabel}</Item>
          <Item label="Owner">
            <PersonName personId={system.ownerPersonId} fallback="No owner" size="sm" />
          </Item>
          <Item label="Classification">{CLASSIFICATION_LABELS[system.dataClassification]}</Item>
          <Item label="New usernames">{USERNAME_RULE_LABELS[system.usernameRule]}</Item>
        </DataList>
        <DataList labelWidth={150}>
          <Item label="Accounts">{system.accounts}</Item>
          <Item label="Last read">{formatDateTime(system.lastSyncAt, "Never")}</Item>
          <Item label="Breaker threshold">
            {Math.round(system.breakerThreshold * 1000) / 10} % of accounts
          </Item>
          <Item label="Secrets">
            {secrets.length === 0 ? (
              "None needed"
            ) : (
              <Group gap={4}>
                {secrets.map(([name, set]) => (
                  <Badge key={name} variant="light" color={set ? "teal" : "gray"} radius="sm" tt="none">
                    {name}: {set ? "set" : "not set"}
                  </Badge>
                ))}
              </Group>
            )}
          </Item>
        </DataList>
      </SimpleGrid>
      {system.lastSyncError ? (
        <Text size="sm" c="red.9" mt="sm">
          The last read failed: {system.lastSyncError}
        </Text>
      ) : null}
      {settings.length > 0 ? (
        <details style={{ marginTop: "var(--mantine-spacing-sm)" }}>
          <summary>
            <Text span size="sm" fw={600}>
              Connector settings ({settings.length})
            </Text>
          </summary>
          <DataList labelWidth={200} mt="xs">
            {settings.map(([key, value]) => (
              <Item key={key} label={key}>
                <Code style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>{settingText(value)}</Code>
              </Item>
            ))}
          </DataList>
        </details>
      ) : null}
    </Card>
  );
}
