import {
  ActionIcon,
  Badge,
  Button,
  Fieldset,
  Group,
  JsonInput,
  NativeSelect,
  PasswordInput,
  Stack,
  Switch,
  Text,
  TextInput,
} from "@mantine/core";
import { useState } from "react";
import { emptyDraft, type SettingDraft, type SettingKind } from "./configDraft";
import { isOneOf } from "./labels";

const KINDS: readonly SettingKind[] = ["text", "number", "switch", "json"];
const KIND_LABELS: Record<SettingKind, string> = {
  text: "Text",
  number: "Number",
  switch: "On / off",
  json: "List or group (JSON)",
};

/** The schema's words for a setting left out, said plainly. */
function plain(message: string): string {
  return /received undefined$/.test(message) ? "Required" : message;
}

/** The messages under one setting: its own, and those of anything nested in it ("attributes.rdn"). */
function messageFor(key: string, errors: Record<string, string>): string | undefined {
  const own = errors[key] === undefined ? undefined : plain(errors[key]);
  const nested = Object.entries(errors)
    .filter(([path]) => path.startsWith(`${key}.`))
    .map(([path, message]) => `${path.slice(key.length + 1)}: ${plain(message)}`);
  const all = [own, ...nested].filter((m): m is string => !!m);
  return all.length ? all.join("; ") : undefined;
}

interface ConfigEditorProps {
  drafts: SettingDraft[];
  onChange: (next: SettingDraft[]) => void;
  /** Messages keyed by the path under config (from the server, or found before sending). */
  errors: Record<string, string>;
}

/** The connector's settings as a form: one input per setting, typed by its value. */
export function ConfigEditor({ drafts, onChange, errors }: ConfigEditorProps) {
  const [newKey, setNewKey] = useState("");
  const [newKind, setNewKind] = useState<SettingKind>("text");
  const taken = drafts.some((d) => d.key === newKey.trim());
  const update = (key: string, change: Partial<SettingDraft>) =>
    onChange(drafts.map((d) => (d.key === key ? { ...d, ...change } : d)));
  const unplaced = Object.entries(errors).filter(
    ([path]) => !drafts.some((d) => path === d.key || path.startsWith(`${d.key}.`)),
  );

  return (
    <Fieldset legend="Connector settings">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          The connector type checks these when you save. Settings left empty take the connector's default.
        </Text>
        {drafts.length === 0 ? (
          <Text size="sm">This connector has no settings yet. Add the ones its documentation names.</Text>
        ) : null}
        {drafts.map((d) => {
          const error = messageFor(d.key, errors);
          const remove = (
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={`Remove the setting ${d.key}`}
              onClick={() => onChange(drafts.filter((x) => x.key !== d.key))}
            >
              ×
            </ActionIcon>
          );
          return (
            <Group key={d.key} align="flex-start" wrap="nowrap" gap="xs">
              <div style={{ flex: 1 }}>
                {d.kind === "switch" ? (
                  <Switch
                    label={d.key}
                    checked={d.checked}
                    onChange={(e) => update(d.key, { checked: e.currentTarget.checked })}
                    error={error}
                    mt={4}
                  />
                ) : d.kind === "json" ? (
                  <JsonInput
                    label={d.key}
                    value={d.text}
                    onChange={(text) => update(d.key, { text })}
                    error={error}
                    autosize
                    minRows={2}
                    maxRows={12}
                    formatOnBlur
                    styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
                  />
                ) : (
                  <TextInput
                    label={d.key}
                    inputMode={d.kind === "number" ? "numeric" : undefined}
                    value={d.text}
                    onChange={(e) => update(d.key, { text: e.currentTarget.value })}
                    error={error}
                  />
                )}
              </div>
              <div style={{ paddingTop: d.kind === "switch" ? 0 : 26 }}>{remove}</div>
            </Group>
          );
        })}
        {unplaced.length ? (
          <Text size="sm" c="red.9" role="alert">
            {unplaced.map(([path, message]) => `${path || "settings"}: ${message}`).join("; ")}
          </Text>
        ) : null}
        <Group align="flex-end" gap="xs">
          <TextInput
            label="New setting name"
            placeholder="e.g. timeoutMs"
            value={newKey}
            onChange={(e) => setNewKey(e.currentTarget.value)}
            error={taken ? "Already listed" : undefined}
            w={200}
          />
          <NativeSelect
            label="Kind"
            value={newKind}
            onChange={(e) => {
              const next = e.currentTarget.value;
              if (isOneOf(KINDS, next)) setNewKind(next);
            }}
            data={KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
            w={190}
          />
          <Button
            variant="default"
            disabled={!newKey.trim() || taken}
            onClick={() => {
              onChange([...drafts, emptyDraft(newKey.trim(), newKind)]);
              setNewKey("");
            }}
          >
            Add setting
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}

interface SecretFieldsProps {
  names: readonly string[];
  /** Which secrets the server says are set (editing); empty for a new system. */
  secretsSet: Record<string, boolean>;
  values: Record<string, string>;
  onChange: (next: Record<string, string>) => void;
  errors: Record<string, string>;
}

/** Write-only secrets: never shown or prefilled; a value typed here replaces the stored one. */
export function SecretFields({ names, secretsSet, values, onChange, errors }: SecretFieldsProps) {
  if (names.length === 0) return null;
  return (
    <Fieldset legend="Secrets">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Secrets are stored encrypted and never shown again, not even to administrators.
        </Text>
        {names.map((name) => {
          const set = secretsSet[name] === true;
          return (
            <PasswordInput
              key={name}
              label={
                <Group gap="xs" component="span">
                  <span>{name}</span>
                  <Badge component="span" size="xs" variant="light" color={set ? "teal" : "gray"} radius="sm">
                    {set ? "set" : "not set"}
                  </Badge>
                </Group>
              }
              description={
                set ? "Leave empty to keep the stored value; type a new one to replace it." : undefined
              }
              autoComplete="new-password"
              value={values[name] ?? ""}
              onChange={(e) => onChange({ ...values, [name]: e.currentTarget.value })}
              error={errors[name]}
            />
          );
        })}
      </Stack>
    </Fieldset>
  );
}
