import {
  Button,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  SimpleGrid,
  Stack,
  Switch,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PersonPicker } from "../people/PersonPicker";
import { ConfigEditor, SecretFields } from "./ConfigEditor";
import { configOf, draftsOf, type SettingDraft, starterDrafts } from "./configDraft";
import { errorsUnder, pathErrors, shownKey } from "./fieldErrors";
import {
  CLASSIFICATION_LABELS,
  CLASSIFICATIONS,
  CRITICALITIES,
  CRITICALITY_LABELS,
  isOneOf,
  options,
  USERNAME_RULE_LABELS,
  USERNAME_RULES,
} from "./labels";
import { accessKey, connectorTypesQuery } from "./queries";
import type { Classification, Criticality, System, SystemBody, SystemPatchBody, UsernameRule } from "./types";

interface Values {
  name: string;
  description: string;
  ownerPersonId: string | null;
  ownerName: string | null;
  criticality: Criticality;
  dataClassification: Classification;
  connectorType: string;
  usernameRule: UsernameRule;
  enabled: boolean;
  /** The breaker threshold as a percentage (the API takes a share, 0–1]. */
  breakerPercent: number | string;
}

const TOP_FIELDS = [
  "name",
  "description",
  "ownerPersonId",
  "criticality",
  "dataClassification",
  "connectorType",
  "usernameRule",
  "enabled",
  "breakerThreshold",
];

function valuesOf(system: System | null, ownerName: string | null): Values {
  return {
    name: system?.name ?? "",
    description: system?.description ?? "",
    ownerPersonId: system?.ownerPersonId ?? null,
    ownerName,
    criticality: system?.criticality ?? "medium",
    dataClassification: system?.dataClassification ?? "internal",
    connectorType: system?.connectorType ?? "",
    usernameRule: system?.usernameRule ?? "email_local",
    enabled: system?.enabled ?? true,
    breakerPercent: Math.round((system?.breakerThreshold ?? 0.2) * 1000) / 10,
  };
}

function share(percent: number | string): number {
  return Math.round(Number(percent) * 10) / 1000;
}

interface SystemModalProps {
  /** The system to edit, or null to add one. */
  system: System | null;
  ownerName?: string | null;
  onClose: () => void;
}

type Sent = { kind: "create"; body: SystemBody } | { kind: "edit"; body: SystemPatchBody };

/** Adds a system (choosing its connector type) or changes one; secrets are write-only. */
export function SystemModal({ system, ownerName = null, onClose }: SystemModalProps) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const canPickPeople = useCan("people:read");
  const types = useQuery(connectorTypesQuery);
  const [values, setValues] = useState<Values>(() => valuesOf(system, ownerName));
  const [drafts, setDrafts] = useState<SettingDraft[]>(() => (system ? draftsOf(system.config) : []));
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [local, setLocal] = useState<Record<string, string>>({});

  const save = useMutation({
    mutationFn: async (sent: Sent): Promise<System> => {
      if (sent.kind === "create")
        return expectData(await api.POST("/api/v1/access/systems", { body: sent.body }));
      if (!system) throw new Error("No system to change");
      return expectData(
        await api.PATCH("/api/v1/access/systems/{id}", {
          params: { path: { id: system.id } },
          body: sent.body,
        }),
      );
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: accessKey });
      onClose();
      if (!system) await navigate({ to: "/access/systems/$id", params: { id: saved.id } });
    },
  });

  const type = (types.data ?? []).find((t) => t.type === values.connectorType);
  const serverTop = (field: string) => pathErrors(save.error).find((e) => e.path === field)?.message;
  const err = (field: string) => local[field] ?? serverTop(field);
  // Settings that cannot be read (bad JSON, not a number) are flagged once the form was sent.
  const shownConfig = {
    ...errorsUnder(save.error, "config"),
    ...(local.__config ? configOf(drafts).problems : {}),
  };
  const secretErrors = errorsUnder(save.error, "secrets");
  const shown = pathErrors(save.error)
    .filter(
      (e) =>
        TOP_FIELDS.includes(e.path) ||
        e.path.startsWith("secrets.") ||
        (e.path.startsWith("config.") && drafts.some((d) => e.path.slice(7).split(".")[0] === d.key)),
    )
    .map((e) => shownKey(e.path));

  function chooseType(next: string) {
    setValues({ ...values, connectorType: next });
    setDrafts(starterDrafts(next, (types.data ?? []).find((t) => t.type === next)?.settings));
    setSecrets({});
    save.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!values.name.trim()) found.name = "Enter the system's name";
    if (!system && !values.connectorType) found.connectorType = "Choose how Tandem reaches this system";
    const percent = Number(values.breakerPercent);
    if (!(percent > 0 && percent <= 100)) found.breakerThreshold = "Enter a share between 0.1 and 100 %";
    const { config, problems: bad } = configOf(drafts);
    if (Object.keys(bad).length) found.__config = "1";
    setLocal(found);
    if (Object.keys(found).length) return;
    const typed = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== ""));
    const common = {
      name: values.name.trim(),
      description: values.description.trim() || null,
      ownerPersonId: values.ownerPersonId,
      criticality: values.criticality,
      dataClassification: values.dataClassification,
      usernameRule: values.usernameRule,
      enabled: values.enabled,
      breakerThreshold: share(values.breakerPercent),
    };
    if (!system) {
      save.mutate({
        kind: "create",
        body: { ...common, connectorType: values.connectorType, config, secrets: typed },
      });
      return;
    }
    const body: SystemPatchBody = {};
    if (common.name !== system.name) body.name = common.name;
    if (common.description !== system.description) body.description = common.description;
    if (common.ownerPersonId !== system.ownerPersonId) body.ownerPersonId = common.ownerPersonId;
    if (common.criticality !== system.criticality) body.criticality = common.criticality;
    if (common.dataClassification !== system.dataClassification)
      body.dataClassification = common.dataClassification;
    if (common.usernameRule !== system.usernameRule) body.usernameRule = common.usernameRule;
    if (common.enabled !== system.enabled) body.enabled = common.enabled;
    if (common.breakerThreshold !== system.breakerThreshold) body.breakerThreshold = common.breakerThreshold;
    if (JSON.stringify(config) !== JSON.stringify(system.config)) body.config = config;
    if (Object.keys(typed).length) body.secrets = typed;
    if (Object.keys(body).length === 0) {
      onClose();
      return;
    }
    save.mutate({ kind: "edit", body });
  }

  return (
    <Modal opened onClose={onClose} title={system ? `Edit ${system.name}` : "Add system"} size="xl">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ErrorAlert error={save.error} title="Could not save the system" shownFields={shown} />
          {system ? null : (
            <NativeSelect
              label="Connector type"
              description="How Tandem reaches the system: a directory, a SCIM app, a webhook, or people doing tasks by hand."
              required
              value={values.connectorType}
              onChange={(e) => chooseType(e.currentTarget.value)}
              error={err("connectorType") ?? (types.error ? "Could not load the connector types" : undefined)}
              data={[
                { value: "", label: types.isPending ? "Loading…" : "Choose a connector type" },
                ...(types.data ?? []).map((t) => ({ value: t.type, label: t.label })),
              ]}
              data-autofocus
            />
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <TextInput
              label="Name"
              required
              value={values.name}
              onChange={(e) => setValues({ ...values, name: e.currentTarget.value })}
              error={err("name")}
            />
            {canPickPeople ? (
              <PersonPicker
                label="Owner"
                description="Who answers for this system's access"
                value={values.ownerPersonId}
                valueLabel={values.ownerName}
                onChange={(id, name) => setValues({ ...values, ownerPersonId: id, ownerName: name })}
                error={err("ownerPersonId")}
              />
            ) : null}
            <NativeSelect
              label="Criticality"
              value={values.criticality}
              onChange={(e) => {
                const next = e.currentTarget.value;
                if (isOneOf(CRITICALITIES, next)) setValues({ ...values, criticality: next });
              }}
              error={err("criticality")}
              data={options(CRITICALITIES, CRITICALITY_LABELS)}
            />
            <NativeSelect
              label="Data classification"
              value={values.dataClassification}
              onChange={(e) => {
                const next = e.currentTarget.value;
                if (isOneOf(CLASSIFICATIONS, next)) setValues({ ...values, dataClassification: next });
              }}
              error={err("dataClassification")}
              data={options(CLASSIFICATIONS, CLASSIFICATION_LABELS)}
            />
            <NativeSelect
              label="Username of new accounts"
              value={values.usernameRule}
              onChange={(e) => {
                const next = e.currentTarget.value;
                if (isOneOf(USERNAME_RULES, next)) setValues({ ...values, usernameRule: next });
              }}
              error={err("usernameRule")}
              data={options(USERNAME_RULES, USERNAME_RULE_LABELS)}
            />
            <NumberInput
              label="Circuit breaker threshold (%)"
              description="Share of the accounts one batch may remove before a person must confirm"
              min={0.1}
              max={100}
              step={5}
              decimalScale={1}
              value={values.breakerPercent}
              onChange={(v) => setValues({ ...values, breakerPercent: v })}
              error={err("breakerThreshold")}
            />
          </SimpleGrid>
          <Textarea
            label="Description"
            autosize
            minRows={2}
            value={values.description}
            onChange={(e) => setValues({ ...values, description: e.currentTarget.value })}
            error={err("description")}
          />
          <Switch
            label="Enabled"
            description="A switched-off system is not planned for people at work; a leaver's accounts on it become tasks for a person."
            checked={values.enabled}
            onChange={(e) => setValues({ ...values, enabled: e.currentTarget.checked })}
            error={err("enabled")}
          />
          {system || values.connectorType ? (
            <>
              <ConfigEditor drafts={drafts} onChange={setDrafts} errors={shownConfig} />
              <SecretFields
                names={type?.secretFields ?? Object.keys(system?.secretsSet ?? {})}
                secretsSet={system?.secretsSet ?? {}}
                values={secrets}
                onChange={setSecrets}
                errors={secretErrors}
              />
            </>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {system ? "Save changes" : "Add system"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
