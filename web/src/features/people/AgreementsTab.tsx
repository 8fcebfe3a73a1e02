import {
  Button,
  EmptyState,
  Group,
  Loader,
  NativeSelect,
  Stack,
  Table,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { ScrollTable } from "../../components/ScrollTable";
import { isOneOf, options } from "./labels";
import { AGREEMENT_KINDS, AGREEMENT_LABELS } from "./prehireLabels";
import { agreementsQuery } from "./queries";
import type { Agreement, AgreementBody } from "./types";
import { formatDay } from "./zones";

function AddAgreement({ personId }: { personId: string }) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Agreement["kind"]>("nda");
  const [version, setVersion] = useState("");
  const [signedAt, setSignedAt] = useState("");
  const add = useMutation({
    mutationFn: async (body: AgreementBody) =>
      expectData(
        await api.POST("/api/v1/people/{id}/agreements", { params: { path: { id: personId } }, body }),
      ),
    onSuccess: (answer) => {
      queryClient.setQueryData(agreementsQuery(personId).queryKey, answer.items);
      setVersion("");
      setSignedAt("");
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ kind, version: version.trim(), signedAt: signedAt || null });
  }
  return (
    <form onSubmit={submit} aria-labelledby="agreements-add" noValidate>
      <Title order={3} size="h5" id="agreements-add" mb="xs">
        Record an agreement
      </Title>
      <ErrorAlert
        error={add.error}
        title="Could not record the agreement"
        shownFields={["kind", "version", "signedAt"]}
      />
      <Group align="flex-start" gap="sm" mt="xs">
        <NativeSelect
          label="Agreement"
          value={kind}
          onChange={(event) => {
            const next = event.currentTarget.value;
            if (isOneOf(AGREEMENT_KINDS, next)) setKind(next);
          }}
          data={options(AGREEMENT_KINDS, AGREEMENT_LABELS)}
        />
        <TextInput
          label="Version"
          placeholder="e.g. 2026-01"
          value={version}
          onChange={(e) => setVersion(e.currentTarget.value)}
          error={fieldError(add.error, "version")}
          required
        />
        <TextInput
          label="Signed on"
          type="date"
          value={signedAt}
          onChange={(e) => setSignedAt(e.currentTarget.value)}
          error={fieldError(add.error, "signedAt")}
        />
        <Button type="submit" mt={25} loading={add.isPending} disabled={!version.trim()}>
          Record
        </Button>
      </Group>
    </form>
  );
}

/** Signed agreements (NDA, acceptable use, …): which version, signed when. */
export function AgreementsTab({ personId }: { personId: string }) {
  const canWrite = useCan("people:write");
  const list = useQuery(agreementsQuery(personId));
  const items = list.data ?? [];
  return (
    <Stack gap="lg">
      {list.isPending ? <Loader aria-label="Loading agreements" /> : null}
      <ErrorAlert error={list.error} title="Could not load the agreements" />
      {list.isSuccess && items.length === 0 ? (
        <EmptyState
          title="No agreements recorded"
          description="Record the NDA and acceptable-use policy this person signed."
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Agreements" minWidth={560}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Agreement</Table.Th>
              <Table.Th scope="col">Version</Table.Th>
              <Table.Th scope="col">Signed on</Table.Th>
              <Table.Th scope="col">Recorded</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{AGREEMENT_LABELS[a.kind]}</Table.Td>
                <Table.Td>{a.version}</Table.Td>
                <Table.Td>{formatDay(a.signedAt, "Not signed")}</Table.Td>
                <Table.Td>{formatDateTime(a.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {canWrite ? <AddAgreement personId={personId} /> : null}
    </Stack>
  );
}
