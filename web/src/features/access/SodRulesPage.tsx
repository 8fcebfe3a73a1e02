import {
  Button,
  EmptyState,
  Group,
  Loader,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { LabelBadge } from "./badges";
import { sodRulesQuery } from "./governanceQueries";
import { accessKey, entitlementsQuery, systemsQuery } from "./queries";
import type { SodRule } from "./types";

/** Every catalogued entitlement of every system, grouped by system, for a picker. */
function useEntitlementOptions() {
  const systems = useQuery(systemsQuery);
  const lists = useQueries({ queries: (systems.data ?? []).map((s) => entitlementsQuery(s.id)) });
  return (systems.data ?? [])
    .map((s, i) => ({
      group: s.name,
      items: (lists[i]?.data ?? []).filter((e) => e.present).map((e) => ({ value: e.id, label: e.name })),
    }))
    .filter((g) => g.items.length > 0);
}

function AddRuleModal({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const options = useEntitlementOptions();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [mode, setMode] = useState<"block" | "exception">("block");
  const [left, setLeft] = useState<string | null>(null);
  const [right, setRight] = useState<string | null>(null);
  const [missing, setMissing] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/access/sod-rules", {
          body: {
            name: name.trim(),
            description: description.trim(),
            mode,
            leftEntitlementId: left ?? "",
            rightEntitlementId: right ?? "",
          },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: accessKey });
      onClose();
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    const next: Record<string, string> = {};
    if (!name.trim()) next.name = "Give the rule a name";
    if (!description.trim()) next.description = "Say what the pair allows together";
    if (!left) next.leftEntitlementId = "Choose the first entitlement";
    if (!right) next.rightEntitlementId = "Choose the second entitlement";
    setMissing(next);
    if (Object.keys(next).length === 0) save.mutate();
  }
  const err = (f: string) => missing[f] ?? fieldError(save.error, f);
  return (
    <Modal opened onClose={onClose} title="Add a separation-of-duties rule" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={err("name")}
            data-autofocus
          />
          <Textarea
            label="Why nobody should hold both"
            required
            autosize
            minRows={2}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={err("description")}
          />
          <Select
            label="One entitlement"
            required
            searchable
            data={options}
            value={left}
            onChange={setLeft}
            error={err("leftEntitlementId")}
          />
          <Select
            label="… and the other"
            required
            searchable
            data={options}
            value={right}
            onChange={setRight}
            error={err("rightEntitlementId")}
          />
          <div>
            <Text size="sm" fw={500} id="sod-mode-label">
              When a request would complete the pair
            </Text>
            <SegmentedControl
              aria-labelledby="sod-mode-label"
              value={mode}
              onChange={(v) => setMode(v === "exception" ? "exception" : "block")}
              data={[
                { value: "block", label: "Refuse it" },
                { value: "exception", label: "Allow with a justification" },
              ]}
            />
          </div>
          <ErrorAlert
            error={save.error}
            title="The rule was not added"
            shownFields={["name", "description", "leftEntitlementId", "rightEntitlementId"]}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Add rule
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function Side({ side }: { side: SodRule["left"] }) {
  return (
    <>
      <Text size="sm" fw={600}>
        {side.entitlementName}
      </Text>
      <Text size="xs">{side.systemName}</Text>
    </>
  );
}

/** Separation-of-duties rules: toxic pairs of entitlements, refused or allowed only with a justification. */
export function SodRulesPage() {
  const queryClient = useQueryClient();
  const canAdmin = useCan("access:admin");
  const rules = useQuery(sodRulesQuery);
  const [adding, setAdding] = useState(false);
  const [filter, setFilter] = useState("");
  const remove = useMutation({
    mutationFn: async (id: string) => {
      await api.DELETE("/api/v1/access/sod-rules/{id}", { params: { path: { id } } });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accessKey }),
  });
  const needle = filter.trim().toLowerCase();
  const items = (rules.data ?? []).filter(
    (r) =>
      !needle ||
      [
        r.name,
        r.description,
        r.left.entitlementName,
        r.right.entitlementName,
        r.left.systemName,
        r.right.systemName,
      ]
        .join(" ")
        .toLowerCase()
        .includes(needle),
  );

  return (
    <>
      <PageHeader
        title="Separation of duties"
        description="Pairs of entitlements nobody should hold together, such as creating suppliers and approving payments. Requests and profiles that would complete a pair are refused or need a justification."
        actions={canAdmin ? <Button onClick={() => setAdding(true)}>Add rule</Button> : null}
      />
      {rules.data?.length ? (
        <TextInput
          label="Search rules"
          placeholder="Name or entitlement"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          maw={360}
          mb="md"
        />
      ) : null}
      {rules.isPending ? <Loader aria-label="Loading the rules" /> : null}
      <ErrorAlert error={rules.error} title="Could not load the rules" />
      <ErrorAlert error={remove.error} title="Could not delete the rule" />
      {rules.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title={needle ? "No rule matches" : "No rules yet"}
          description={
            needle
              ? "Clear the search to see every rule."
              : canAdmin
                ? "Add a rule for each pair of entitlements that together allow fraud or hide mistakes."
                : "Security adds rules for pairs of entitlements nobody should hold together."
          }
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Separation-of-duties rules" minWidth={900}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Rule</Table.Th>
              <Table.Th scope="col">One</Table.Th>
              <Table.Th scope="col">The other</Table.Th>
              <Table.Th scope="col">Mode</Table.Th>
              {canAdmin ? <Table.Th scope="col">Actions</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td maw={320}>
                  <Text size="sm" fw={600}>
                    {r.name}
                    {r.enabled ? "" : " (switched off)"}
                  </Text>
                  <Text size="xs">{r.description}</Text>
                </Table.Td>
                <Table.Td>
                  <Side side={r.left} />
                </Table.Td>
                <Table.Td>
                  <Side side={r.right} />
                </Table.Td>
                <Table.Td>
                  {r.mode === "block" ? (
                    <LabelBadge label="Refused" color="red" />
                  ) : (
                    <LabelBadge label="Justification needed" color="orange" />
                  )}
                </Table.Td>
                {canAdmin ? (
                  <Table.Td>
                    <ConfirmButton
                      size="xs"
                      question={`Delete “${r.name}”?`}
                      confirmLabel="Delete"
                      loading={remove.isPending && remove.variables === r.id}
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
      {adding ? <AddRuleModal onClose={() => setAdding(false)} /> : null}
    </>
  );
}
