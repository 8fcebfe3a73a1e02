import {
  Button,
  EmptyState,
  FileInput,
  Group,
  Loader,
  Modal,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { ScrollTable } from "../../components/ScrollTable";
import { evidenceQuery, incidentsKey } from "./queries";

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Notes and files, stored encrypted; opening one is audited. Files only ever download. */
export function EvidenceTab({ incidentId, canWrite }: { incidentId: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const evidence = useQuery(evidenceQuery(incidentId));
  const [kind, setKind] = useState<"note" | "file">("note");
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [note, setNote] = useState<{ name: string; text: string } | null>(null);
  const add = useMutation({
    mutationFn: async () => {
      const body =
        kind === "note"
          ? { kind: "note" as const, name, text }
          : {
              kind: "file" as const,
              name: file?.name ?? name,
              contentBase64: file ? await toBase64(file) : "",
            };
      return expectData(
        await api.POST("/api/v1/incidents/{id}/evidence", { params: { path: { id: incidentId } }, body }),
      );
    },
    onSuccess: async () => {
      setName("");
      setText("");
      setFile(null);
      await queryClient.invalidateQueries({ queryKey: [...incidentsKey, incidentId] });
    },
  });
  const open = useMutation({
    mutationFn: async (item: { id: string; kind: string; name: string }) => {
      const res = await fetch(`/api/v1/incidents/${incidentId}/evidence/${item.id}`, {
        credentials: "same-origin",
      });
      if (!res.ok) throw new Error(`The evidence could not be opened (${res.status})`);
      if (item.kind === "note") {
        const body = (await res.json()) as { text: string };
        setNote({ name: item.name, text: body.text });
        return;
      }
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = item.name;
      a.click();
      URL.revokeObjectURL(url);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const items = evidence.data ?? [];
  return (
    <Stack>
      {evidence.isPending ? <Loader aria-label="Loading evidence" /> : null}
      <ErrorAlert error={evidence.error ?? open.error} title="Could not load the evidence" />
      {evidence.isSuccess && !items.length ? (
        <EmptyState
          title="No evidence yet"
          description="Add notes (header analysis, call records) or files (exported mails, screenshots). They are stored encrypted."
        />
      ) : null}
      {items.length ? (
        <ScrollTable label="Evidence">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>SHA-256</Table.Th>
              <Table.Th>Added</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>
                  <Button variant="subtle" size="compact-sm" onClick={() => open.mutate(e)}>
                    {e.name}
                  </Button>
                </Table.Td>
                <Table.Td>{e.kind === "note" ? "Note" : (e.contentType ?? "File")}</Table.Td>
                <Table.Td>{e.sizeBytes.toLocaleString()} bytes</Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace">
                    {e.sha256?.slice(0, 16)}…
                  </Text>
                </Table.Td>
                <Table.Td>{formatDateTime(e.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {canWrite ? (
        <form onSubmit={submit}>
          <Stack gap="xs">
            <SegmentedControl
              aria-label="Kind of evidence"
              value={kind}
              onChange={(v) => setKind(v as "note" | "file")}
              data={[
                { value: "note", label: "Note" },
                { value: "file", label: "File" },
              ]}
            />
            {kind === "note" ? (
              <>
                <TextInput
                  label="Title"
                  required
                  value={name}
                  onChange={(e) => setName(e.currentTarget.value)}
                  error={fieldError(add.error, "name")}
                />
                <Textarea
                  label="Note"
                  required
                  autosize
                  minRows={3}
                  value={text}
                  onChange={(e) => setText(e.currentTarget.value)}
                />
              </>
            ) : (
              <FileInput
                label="File (up to 5 MB)"
                required
                value={file}
                onChange={setFile}
                error={fieldError(add.error, "contentBase64")}
              />
            )}
            <ErrorAlert
              error={add.error}
              title="Could not add the evidence"
              shownFields={["name", "contentBase64"]}
            />
            <Group justify="flex-end">
              <Button type="submit" loading={add.isPending}>
                Add evidence
              </Button>
            </Group>
          </Stack>
        </form>
      ) : null}
      <Modal opened={!!note} onClose={() => setNote(null)} title={note?.name ?? ""} size="lg">
        <Text style={{ whiteSpace: "pre-wrap" }}>{note?.text}</Text>
      </Modal>
    </Stack>
  );
}
