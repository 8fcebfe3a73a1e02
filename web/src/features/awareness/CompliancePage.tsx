import {
  Button,
  Card,
  EmptyState,
  Group,
  Loader,
  Modal,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { departmentsQuery } from "../org/queries";
import { AssignmentsTable } from "./AssignmentsTable";
import { AudienceFields, EVERYONE } from "./AudienceFields";
import { Pager } from "./Pager";
import { assignmentsQuery, awarenessKey, complianceQuery, modulesQuery, policiesQuery } from "./queries";
import type { AssignmentsQuery, Audience } from "./types";

const pct = (v: number | null) => (v === null ? "—" : `${v} %`);

function AssignModal({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const policies = useQuery(policiesQuery({ status: "published" }, 0));
  const modules = useQuery(modulesQuery({ status: "published" }, 0));
  const [itemType, setItemType] = useState<"policy" | "module">("module");
  const [itemId, setItemId] = useState<string | null>(null);
  const [audience, setAudience] = useState<Audience>(EVERYONE);
  const [dueDays, setDueDays] = useState(14);
  const [reason, setReason] = useState("");
  const assign = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/awareness/assignments", {
          body: {
            itemType,
            itemId: itemId ?? "",
            audience,
            dueDays,
            ...(reason.trim() ? { reason: reason.trim() } : {}),
          },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: awarenessKey }),
  });
  const items =
    itemType === "policy"
      ? (policies.data?.items ?? []).map((p) => ({ value: p.id, label: p.title }))
      : (modules.data?.items ?? []).map((m) => ({ value: m.id, label: m.title }));
  return (
    <Modal opened onClose={onClose} title="Assign now" size="lg">
      <Stack>
        <Select
          label="Assign a"
          data={[
            { value: "module", label: "Training module" },
            { value: "policy", label: "Policy (current version)" },
          ]}
          value={itemType}
          onChange={(v) => {
            setItemType((v ?? "module") as "policy" | "module");
            setItemId(null);
          }}
        />
        <Select
          label="Item"
          searchable
          data={items}
          value={itemId}
          onChange={setItemId}
          error={fieldError(assign.error, "itemId") ?? fieldError(assign.error, "body.itemId")}
        />
        <AudienceFields value={audience} onChange={setAudience} error={assign.error} />
        <Group grow>
          <NumberInput
            label="Days to complete"
            min={1}
            max={365}
            value={dueDays}
            onChange={(v) => setDueDays(Number(v) || 14)}
          />
          <TextInput
            label="Reason shown to people"
            placeholder="Assigned by HR or Security"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
        </Group>
        <ErrorAlert error={assign.error} title="Could not assign" />
        {assign.data ? (
          <Text role="status">
            Assigned to {assign.data.created} of {assign.data.inAudience} people ({assign.data.skipped}{" "}
            already had it).
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button loading={assign.isPending} onClick={() => assign.mutate()}>
            Assign
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Compliance for HR, Security and auditors: rates per department and who needs a nudge. */
export function CompliancePage() {
  const canAssign = useCan("awareness:assign");
  const data = useQuery(complianceQuery);
  const departments = useQuery(departmentsQuery);
  const [filter, setFilter] = useState<Omit<AssignmentsQuery, "limit" | "offset">>({ status: "overdue" });
  const [page, setPage] = useState(0);
  const [assigning, setAssigning] = useState(false);
  const list = useQuery(assignmentsQuery(filter, page));
  const set = (patch: Partial<typeof filter>) => {
    setFilter((f) => ({ ...f, ...patch }));
    setPage(0);
  };
  const t = data.data?.totals;
  return (
    <>
      <PageHeader
        title="Awareness compliance"
        description="Training completion and policy acceptance per department, and who is overdue."
        actions={canAssign ? <Button onClick={() => setAssigning(true)}>Assign now</Button> : null}
      />
      {data.isPending ? <Loader aria-label="Loading compliance" /> : null}
      <ErrorAlert error={data.error} title="Could not load compliance figures" />
      {t ? (
        <SimpleGrid cols={{ base: 1, sm: 3 }} mb="md">
          <Card withBorder>
            <Text size="sm" c="dimmed">
              Training completed
            </Text>
            <Title order={2}>{pct(t.completionRate)}</Title>
            <Text size="sm">
              {t.trainingDone} of {t.trainingAssigned}
            </Text>
          </Card>
          <Card withBorder>
            <Text size="sm" c="dimmed">
              Policies accepted
            </Text>
            <Title order={2}>{pct(t.acknowledgementRate)}</Title>
            <Text size="sm">
              {t.policiesAcknowledged} of {t.policiesAsked}
            </Text>
          </Card>
          <Card withBorder>
            <Text size="sm" c="dimmed">
              Overdue
            </Text>
            <Title order={2}>{t.trainingOverdue + t.policiesOverdue}</Title>
            <Text size="sm">
              {t.trainingOverdue} training, {t.policiesOverdue} policies
            </Text>
          </Card>
        </SimpleGrid>
      ) : null}
      {data.data?.departments.length ? (
        <ScrollTable label="Rates per department">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Department</Table.Th>
              <Table.Th>People</Table.Th>
              <Table.Th>Training completed</Table.Th>
              <Table.Th>Policies accepted</Table.Th>
              <Table.Th>Overdue</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.data.departments.map((d) => (
              <Table.Tr key={d.departmentId ?? "none"}>
                <Table.Td>{d.departmentName}</Table.Td>
                <Table.Td>{d.people}</Table.Td>
                <Table.Td>
                  {pct(d.completionRate)} ({d.trainingDone}/{d.trainingAssigned})
                </Table.Td>
                <Table.Td>
                  {pct(d.acknowledgementRate)} ({d.policiesAcknowledged}/{d.policiesAsked})
                </Table.Td>
                <Table.Td>{d.trainingOverdue + d.policiesOverdue}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : data.data ? (
        <EmptyState
          my="lg"
          title="No one to count yet"
          description="Figures appear once people are in the directory and policies or training are assigned."
        />
      ) : null}
      <Title order={2} size="h3" mt="xl" mb="sm">
        Who needs a nudge
      </Title>
      <Group mb="md" align="flex-end">
        <TextInput
          label="Person"
          placeholder="Name or employee number"
          value={filter.q ?? ""}
          onChange={(e) => set({ q: e.currentTarget.value || undefined })}
        />
        <Select
          label="Status"
          data={[
            { value: "overdue", label: "Overdue" },
            { value: "open", label: "Open" },
            { value: "done", label: "Done" },
            { value: "closed", label: "Closed" },
          ]}
          clearable
          value={filter.status ?? null}
          onChange={(v) => set({ status: (v ?? undefined) as AssignmentsQuery["status"] })}
        />
        <Select
          label="Kind"
          clearable
          data={[
            { value: "policy", label: "Policies" },
            { value: "module", label: "Training" },
          ]}
          value={filter.itemType ?? null}
          onChange={(v) => set({ itemType: (v ?? undefined) as AssignmentsQuery["itemType"] })}
        />
        <Select
          label="Department"
          clearable
          searchable
          data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
          value={filter.departmentId ?? null}
          onChange={(v) => set({ departmentId: v ?? undefined })}
        />
      </Group>
      <ErrorAlert error={list.error} title="Could not load assignments" />
      {list.data && list.data.items.length === 0 ? (
        <EmptyState
          my="lg"
          title="Nobody here"
          description={
            filter.status === "overdue"
              ? "Nobody is overdue. Nothing to chase."
              : "No assignments match these filters."
          }
        />
      ) : null}
      {list.data?.items.length ? (
        <>
          <AssignmentsTable items={list.data.items} label="Assignments" />
          <Pager page={page} total={list.data.total} onChange={setPage} />
        </>
      ) : null}
      {assigning ? <AssignModal onClose={() => setAssigning(false)} /> : null}
    </>
  );
}
