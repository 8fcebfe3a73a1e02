import {
  Badge,
  Button,
  EmptyState,
  Group,
  Loader,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { ScrollTable } from "../../components/ScrollTable";
import { isOneOf, options } from "./labels";
import { CHECK_KINDS, CHECK_LABELS } from "./prehireLabels";
import { checksQuery } from "./queries";
import type { Check, CheckBody } from "./types";
import { formatDay } from "./zones";

function hasDetails(check: Check): check is Extract<Check, { provider: string }> {
  return "provider" in check;
}

function AddCheck({ personId }: { personId: string }) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Check["kind"]>("criminal");
  const [provider, setProvider] = useState("");
  const add = useMutation({
    mutationFn: async (body: CheckBody) =>
      expectData(await api.POST("/api/v1/people/{id}/checks", { params: { path: { id: personId } }, body })),
    onSuccess: () => {
      setProvider("");
      return queryClient.invalidateQueries({ queryKey: checksQuery(personId).queryKey });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ kind, provider: provider.trim(), status: "requested", documents: [] });
  }
  return (
    <form onSubmit={submit} aria-label="Request a background check" noValidate>
      <ErrorAlert error={add.error} title="Could not record the check" shownFields={["provider"]} />
      <Group align="flex-start" gap="sm">
        <NativeSelect
          label="Check"
          value={kind}
          onChange={(event) => {
            const next = event.currentTarget.value;
            if (isOneOf(CHECK_KINDS, next)) setKind(next);
          }}
          data={options(CHECK_KINDS, CHECK_LABELS)}
        />
        <TextInput
          label="Provider"
          value={provider}
          onChange={(e) => setProvider(e.currentTarget.value)}
          error={fieldError(add.error, "provider")}
          required
        />
        <Button type="submit" mt={25} loading={add.isPending} disabled={!provider.trim()}>
          Record as requested
        </Button>
      </Group>
    </form>
  );
}

/** Background checks: HR sees the (encrypted, read-audited) details; everyone else only "completed: yes/no". */
export function ChecksTab({ personId }: { personId: string }) {
  const canChecks = useCan("people:checks");
  const checks = useQuery(checksQuery(personId));
  const items = checks.data?.items ?? [];
  const detailed = checks.data?.detailed ?? false;
  return (
    <Stack gap="lg">
      {checks.isPending ? <Loader aria-label="Loading background checks" /> : null}
      <ErrorAlert error={checks.error} title="Could not load the background checks" />
      {detailed ? (
        <Text size="sm" c="dimmed">
          Confidential: HR only. Opening this tab is recorded in the audit log.
        </Text>
      ) : null}
      {checks.isSuccess && items.length === 0 ? (
        <EmptyState
          title="No background checks"
          description={
            canChecks
              ? "Record a check when you request it from the provider."
              : "HR has not recorded any checks."
          }
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Background checks" minWidth={detailed ? 760 : 360}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Check</Table.Th>
              <Table.Th scope="col">Completed</Table.Th>
              {detailed ? (
                <>
                  <Table.Th scope="col">Provider</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Outcome</Table.Th>
                  <Table.Th scope="col">Deleted after</Table.Th>
                </>
              ) : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{CHECK_LABELS[c.kind]}</Table.Td>
                <Table.Td>
                  <Badge variant="light" radius="sm" color={c.completed ? "teal" : "gray"}>
                    {c.completed ? "Yes" : "No"}
                  </Badge>
                </Table.Td>
                {hasDetails(c) ? (
                  <>
                    <Table.Td>{c.provider}</Table.Td>
                    <Table.Td>{c.status.replace("_", " ")}</Table.Td>
                    <Table.Td>{c.outcome ?? "—"}</Table.Td>
                    <Table.Td>{formatDay(c.purgeAfter)}</Table.Td>
                  </>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {canChecks ? <AddCheck personId={personId} /> : null}
    </Stack>
  );
}
