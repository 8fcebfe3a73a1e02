import {
  Badge,
  Button,
  EmptyState,
  Group,
  Loader,
  Modal,
  NativeSelect,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { ScrollTable } from "../../components/ScrollTable";
import { ENTITLEMENT_KIND_LABELS, ENTITLEMENT_KINDS, isOneOf, options } from "./labels";
import { accessKey, entitlementsQuery } from "./queries";
import type { EntitlementKind, System } from "./types";

function DeclareEntitlementModal({ system, onClose }: { system: System; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [externalId, setExternalId] = useState("");
  const [name, setName] = useState("");
  const [kind, setKind] = useState<EntitlementKind>("group");
  const [description, setDescription] = useState("");
  const save = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/access/systems/{id}/entitlements", {
          params: { path: { id: system.id } },
          body: {
            externalId: externalId.trim(),
            name: name.trim(),
            kind,
            description: description.trim() || null,
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
    save.mutate();
  }

  return (
    <Modal opened onClose={onClose} title={`Declare an entitlement of ${system.name}`}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            For systems that cannot list their groups, roles or licences: declare each one so access profiles
            can give it.
          </Text>
          <ErrorAlert
            error={save.error}
            title="Could not declare the entitlement"
            shownFields={["externalId", "name", "kind", "description"]}
          />
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(save.error, "name")}
            data-autofocus
          />
          <TextInput
            label="Identifier on the system"
            description="How the system itself names it, e.g. a group's DN or a role key"
            required
            value={externalId}
            onChange={(e) => setExternalId(e.currentTarget.value)}
            error={fieldError(save.error, "externalId")}
          />
          <NativeSelect
            label="Kind"
            value={kind}
            onChange={(e) => {
              const next = e.currentTarget.value;
              if (isOneOf(ENTITLEMENT_KINDS, next)) setKind(next);
            }}
            data={options(ENTITLEMENT_KINDS, ENTITLEMENT_KIND_LABELS)}
            error={fieldError(save.error, "kind")}
          />
          <Textarea
            label="Description"
            autosize
            minRows={2}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={fieldError(save.error, "description")}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!name.trim() || !externalId.trim()}>
              Declare entitlement
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** What people can hold on the system (groups, roles, licences), read from it or declared by hand. */
export function EntitlementsTab({ system }: { system: System }) {
  const canAdmin = useCan("access:admin");
  const [declaring, setDeclaring] = useState(false);
  const list = useQuery(entitlementsQuery(system.id));
  const items = list.data ?? [];

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Entitlements come from "Read accounts" where the system can list them; otherwise declare them here.
        </Text>
        {canAdmin ? (
          <Button variant="default" onClick={() => setDeclaring(true)}>
            Declare entitlement
          </Button>
        ) : null}
      </Group>
      {list.isPending ? <Loader aria-label="Loading the entitlements" /> : null}
      <ErrorAlert error={list.error} title="Could not load the entitlements" />
      {list.isSuccess && items.length === 0 ? (
        <EmptyState
          title="No entitlements yet"
          description="Read the accounts to fetch the system's groups and roles, or declare them by hand if the system cannot list them. Profiles can still give a plain account without any."
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label={`Entitlements of ${system.name}`} minWidth={640}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Kind</Table.Th>
              <Table.Th scope="col">Identifier on the system</Table.Th>
              <Table.Th scope="col">Seen on the system</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>
                  {e.name}
                  {e.description ? (
                    <Text size="xs" c="dimmed">
                      {e.description}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>{ENTITLEMENT_KIND_LABELS[e.kind]}</Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
                    {e.externalId}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {e.present ? (
                    <Badge variant="light" color="teal" radius="sm">
                      Present
                    </Badge>
                  ) : (
                    <Badge variant="light" color="gray" radius="sm">
                      Not seen at the last read
                    </Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {declaring ? <DeclareEntitlementModal system={system} onClose={() => setDeclaring(false)} /> : null}
    </Stack>
  );
}
