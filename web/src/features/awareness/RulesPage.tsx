import {
  Button,
  EmptyState,
  Group,
  Loader,
  Modal,
  NumberInput,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { AudienceFields, describeAudience, EVERYONE } from "./AudienceFields";
import { awarenessKey, modulesQuery, policiesQuery, rulesQuery } from "./queries";
import type { Rule, RuleBody } from "./types";

export const TRIGGER_LABELS: Record<Rule["trigger"], string> = {
  joiner: "Joiners (onboarding pack)",
  notice: "Notice given (leaving)",
  annual: "Annual refresher",
  hr_case: "HR case closed with a training outcome",
  follow_up: "Follow-up (e.g. a phishing slip)",
};

function NewRuleModal({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const policies = useQuery(policiesQuery({ status: "published" }, 0));
  const modules = useQuery(modulesQuery({ status: "published" }, 0));
  const [rule, setRule] = useState<RuleBody>({
    name: "",
    trigger: "joiner",
    itemType: "module",
    itemId: "",
    audience: EVERYONE,
    dueDays: 14,
  });
  const create = useMutation({
    mutationFn: async () => expectData(await api.POST("/api/v1/awareness/rules", { body: rule })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: awarenessKey });
      onClose();
    },
  });
  const items =
    rule.itemType === "policy"
      ? (policies.data?.items ?? []).map((p) => ({ value: p.id, label: p.title }))
      : (modules.data?.items ?? []).map((m) => ({ value: m.id, label: m.title }));
  return (
    <Modal opened onClose={onClose} title="New assignment rule" size="lg">
      <Stack>
        <TextInput
          label="Name"
          required
          value={rule.name}
          onChange={(e) => setRule({ ...rule, name: e.currentTarget.value })}
          error={fieldError(create.error, "body.name")}
        />
        <Select
          label="When"
          data={Object.entries(TRIGGER_LABELS).map(([value, label]) => ({ value, label }))}
          value={rule.trigger}
          onChange={(v) =>
            setRule({
              ...rule,
              trigger: (v ?? "joiner") as RuleBody["trigger"],
              itemType: v === "joiner" ? rule.itemType : "module",
            })
          }
        />
        <Select
          label="Assign a"
          data={
            rule.trigger === "joiner"
              ? [
                  { value: "module", label: "Training module" },
                  { value: "policy", label: "Policy" },
                ]
              : [{ value: "module", label: "Training module" }]
          }
          value={rule.itemType}
          onChange={(v) =>
            setRule({ ...rule, itemType: (v ?? "module") as RuleBody["itemType"], itemId: "" })
          }
          error={fieldError(create.error, "body.itemType")}
        />
        <Select
          label="Item"
          searchable
          data={items}
          value={rule.itemId || null}
          onChange={(v) => setRule({ ...rule, itemId: v ?? "" })}
          error={fieldError(create.error, "itemId") ?? fieldError(create.error, "body.itemId")}
        />
        <NumberInput
          label="Days to complete"
          min={1}
          max={365}
          value={rule.dueDays}
          onChange={(v) => setRule({ ...rule, dueDays: Number(v) || 14 })}
        />
        <AudienceFields
          value={rule.audience}
          onChange={(audience) => setRule({ ...rule, audience })}
          error={create.error}
        />
        <ErrorAlert error={create.error} title="Could not add the rule" />
        <Group justify="flex-end">
          <Button loading={create.isPending} onClick={() => create.mutate()}>
            Add rule
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Assignment rules: data HR and Security edit, applied to lifecycle events and the yearly cycle. */
export function RulesPage() {
  const canWrite = useCan("awareness:author");
  const qc = useQueryClient();
  const rules = useQuery(rulesQuery);
  const [trigger, setTrigger] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const toggle = useMutation({
    mutationFn: async (r: { id: string; enabled: boolean }) =>
      expectData(
        await api.PATCH("/api/v1/awareness/rules/{id}", {
          params: { path: { id: r.id } },
          body: { enabled: r.enabled },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: awarenessKey }),
  });
  const remove = useMutation({
    mutationFn: async (id: string) =>
      api.DELETE("/api/v1/awareness/rules/{id}", { params: { path: { id } } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: awarenessKey }),
  });
  const items = (rules.data ?? []).filter((r) => !trigger || r.trigger === trigger);
  return (
    <>
      <PageHeader
        title="Assignment rules"
        description="Who gets which policy or training, and when. Each person gets an item once per cycle (onboarding, a year, a case)."
        actions={canWrite ? <Button onClick={() => setCreating(true)}>New rule</Button> : null}
      />
      <Select
        mb="md"
        maw={320}
        label="When"
        clearable
        data={Object.entries(TRIGGER_LABELS).map(([value, label]) => ({ value, label }))}
        value={trigger}
        onChange={setTrigger}
      />
      {rules.isPending ? <Loader aria-label="Loading rules" /> : null}
      <ErrorAlert
        error={rules.error ?? toggle.error ?? remove.error}
        title="Could not load or change rules"
      />
      {rules.data && items.length === 0 ? (
        <EmptyState
          my="xl"
          title="No rules"
          description="Add a rule so joiners get the onboarding pack, or run `tandem awareness seed` for the starter rules."
        />
      ) : null}
      {items.length ? (
        <ScrollTable label="Assignment rules">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Rule</Table.Th>
              <Table.Th>When</Table.Th>
              <Table.Th>Assigns</Table.Th>
              <Table.Th>Audience</Table.Th>
              <Table.Th>Due in</Table.Th>
              <Table.Th>On</Table.Th>
              {canWrite ? <Table.Th>Actions</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{r.name}</Table.Td>
                <Table.Td>{TRIGGER_LABELS[r.trigger]}</Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {r.itemType === "policy" ? "Policy" : "Training"}: {r.itemTitle}
                  </Text>
                </Table.Td>
                <Table.Td>{describeAudience(r.audience)}</Table.Td>
                <Table.Td>{r.dueDays} days</Table.Td>
                <Table.Td>
                  <Switch
                    aria-label={`Rule ${r.name} switched on`}
                    checked={r.enabled}
                    disabled={!canWrite}
                    onChange={(e) => toggle.mutate({ id: r.id, enabled: e.currentTarget.checked })}
                  />
                </Table.Td>
                {canWrite ? (
                  <Table.Td>
                    <ConfirmButton
                      size="xs"
                      color="red"
                      question="Delete this rule? Assignments it made stay."
                      confirmLabel="Delete"
                      onConfirm={() => remove.mutate(r.id)}
                    >
                      Delete
                    </ConfirmButton>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {creating ? <NewRuleModal onClose={() => setCreating(false)} /> : null}
    </>
  );
}
