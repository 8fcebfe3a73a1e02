import {
  Badge,
  Button,
  EmptyState,
  Group,
  Loader,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api, expectData } from "../../../api/client";
import { useCan } from "../../../app/session";
import { ErrorAlert, fieldError } from "../../../components/ErrorAlert";
import { formatDate } from "../../../components/format";
import { AnchorLink, ButtonLink } from "../../../components/links";
import { ScrollTable } from "../../../components/ScrollTable";
import { repeatClickersQuery } from "./queries";
import type { RepeatClicker } from "./types";

/** HR decides to open a case about a repeat clicker: the text is HR's to change; nothing happens by itself. */
function OpenCaseModal({
  person,
  months,
  onClose,
}: {
  person: RepeatClicker;
  months: number;
  onClose: () => void;
}) {
  const navigate = useNavigate();
  const [title, setTitle] = useState(`Repeated phishing simulation clicks: ${name}`);
  const [details, setDetails] = useState(
    `${name} clicked ${person.clicks} simulated phishing links in the last ${months} months ` +
      `(last on ${formatDate(person.lastClickAt)}). Follow-up training ${
        person.openFollowUp ? "is still open" : "has no open assignment"
      }.`,
  );
  const open = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/hr-cases", {
          body: { title, details, source: "manual", subjectPersonId: person.personId, memberUserIds: [] },
        }),
      ),
    onSuccess: (c) => {
      onClose();
      void navigate({ to: "/hr-cases/$id", params: { id: c.id } });
    },
  });
  return (
    <Modal opened onClose={onClose} title={`Open a confidential HR case about ${name}`} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          open.mutate();
        }}
      >
        <Stack>
          <TextInput
            label="Title"
            required
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            error={fieldError(open.error, "title")}
          />
          <Textarea
            label="Details"
            description="Stored encrypted in the HR case; every read is recorded"
            autosize
            minRows={4}
            value={details}
            onChange={(e) => setDetails(e.currentTarget.value)}
            error={fieldError(open.error, "details")}
          />
          <ErrorAlert error={open.error} title="Could not open the case" shownFields={["title", "details"]} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={open.isPending}>
              Open case
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** People who clicked more than once: the list HR uses to decide; Tandem never opens a case by itself. */
export function RepeatClickers() {
  const isHr = useCan("hr_cases:manage");
  const canRefer = useCan("hr_cases:refer");
  const canSeePeople = useCan("people:read");
  const [minClicks, setMinClicks] = useState(2);
  const [months, setMonths] = useState(12);
  const [person, setPerson] = useState<RepeatClicker | null>(null);
  const list = useQuery(repeatClickersQuery({ minClicks, months }));
  return (
    <section aria-labelledby="repeat-clickers">
      <Title order={2} size="h3" id="repeat-clickers" mt="xl" mb="xs">
        Repeat clickers
      </Title>
      <Text size="sm" mb="sm">
        People whose clicks counted in several simulations. Training comes first; an HR case is HR's decision
        {canRefer && !isHr ? " (refer the matter to HR from the HR cases page)" : ""}.
      </Text>
      <Group mb="md" align="flex-end">
        <NumberInput
          label="At least this many clicks"
          min={2}
          max={50}
          value={minClicks}
          onChange={(v) => setMinClicks(Math.max(2, Number(v) || 2))}
        />
        <NumberInput
          label="In the last months"
          min={1}
          max={60}
          value={months}
          onChange={(v) => setMonths(Math.max(1, Number(v) || 12))}
        />
        {canRefer && !isHr ? (
          <ButtonLink to="/hr-cases" variant="default">
            HR cases
          </ButtonLink>
        ) : null}
      </Group>
      {list.isPending ? <Loader aria-label="Loading repeat clickers" /> : null}
      <ErrorAlert error={list.error} title="Could not load repeat clickers" />
      {list.data && list.data.items.length === 0 ? (
        <EmptyState
          my="lg"
          title="No repeat clickers"
          description={`Nobody clicked ${minClicks} or more times in the last ${months} months.`}
        />
      ) : null}
      {list.data?.items.length ? (
        <ScrollTable label="Repeat clickers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Person</Table.Th>
              <Table.Th>Department</Table.Th>
              <Table.Th>Clicks</Table.Th>
              <Table.Th>Last click</Table.Th>
              <Table.Th>Follow-up training</Table.Th>
              {isHr ? <Table.Th>HR case</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((p) => (
              <Table.Tr key={p.personId}>
                <Table.Td>
                  {canSeePeople ? (
                    <AnchorLink to="/people/$id" params={{ id: p.personId }}>
                      {p.name ?? "Unnamed person"}
                    </AnchorLink>
                  ) : (
                    (p.name ?? "Unnamed person")
                  )}
                </Table.Td>
                <Table.Td>{p.departmentName ?? "—"}</Table.Td>
                <Table.Td>{p.clicks}</Table.Td>
                <Table.Td>{formatDate(p.lastClickAt)}</Table.Td>
                <Table.Td>
                  {p.openFollowUp ? (
                    <Badge color="orange" variant="light" radius="sm">
                      Open
                    </Badge>
                  ) : (
                    <Badge color="gray" variant="light" radius="sm">
                      None open
                    </Badge>
                  )}
                </Table.Td>
                {isHr ? (
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      onClick={() => setPerson(p)}
                      aria-label={`Open an HR case about ${p.name ?? "this person"}`}
                    >
                      Open HR case
                    </Button>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {person ? <OpenCaseModal person={person} months={months} onClose={() => setPerson(null)} /> : null}
    </section>
  );
}
