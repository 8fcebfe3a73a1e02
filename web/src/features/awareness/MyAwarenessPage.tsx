import { Card, EmptyState, Group, Loader, SegmentedControl, Stack, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDate } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { DueBadge } from "./badges";
import { myItemsQuery } from "./queries";
import type { MyItem } from "./types";

function ItemCard({ item }: { item: MyItem }) {
  const link =
    item.itemType === "policy" ? (
      <AnchorLink to="/awareness/policies/$id" params={{ id: item.itemId }} fw={600}>
        {item.title}
      </AnchorLink>
    ) : (
      <AnchorLink to="/awareness/training/$id" params={{ id: item.itemId }} fw={600}>
        {item.title}
      </AnchorLink>
    );
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={2}>
          {item.status === "closed" ? <Text fw={600}>{item.title}</Text> : link}
          <Text size="sm" c="dimmed">
            {item.itemType === "policy" ? `Policy, version ${item.policyVersion}` : "Training with a quiz"} ·{" "}
            {item.reason}
          </Text>
          {item.completedAt ? (
            <Text size="sm">
              Completed {formatDate(item.completedAt)}
              {item.certificateId ? (
                <>
                  {" · "}
                  <a href={`/api/v1/awareness/me/certificates/${item.certificateId}`} download>
                    Download certificate (PDF)
                  </a>
                </>
              ) : null}
            </Text>
          ) : null}
        </Stack>
        <DueBadge status={item.status} dueAt={item.dueAt} overdue={item.overdue} />
      </Group>
    </Card>
  );
}

/** Every signed-in person: the policies to acknowledge and the training to complete, with due dates. */
export function MyAwarenessPage() {
  const mine = useQuery(myItemsQuery);
  const [show, setShow] = useState<"open" | "done" | "all">("open");
  const [filter, setFilter] = useState("");
  const needle = filter.trim().toLowerCase();
  const items = (mine.data?.items ?? []).filter(
    (i) =>
      (show === "all" || (show === "open" ? i.status === "open" : i.status === "done")) &&
      (!needle || i.title.toLowerCase().includes(needle)),
  );
  const open = (mine.data?.items ?? []).filter((i) => i.status === "open");
  return (
    <>
      <PageHeader
        title="My training and policies"
        description="Policies to read and accept, and security training to complete, with their due dates."
      />
      {mine.isPending ? <Loader aria-label="Loading your training and policies" /> : null}
      <ErrorAlert error={mine.error} title="Could not load your training and policies" />
      {mine.data && !mine.data.linked ? (
        <EmptyState
          my="xl"
          title="Your sign-in is not linked to an HR record"
          description="Training and policies are assigned to your HR record. Ask HR to link your work email to it."
        />
      ) : null}
      {mine.data?.linked ? (
        <Stack gap="md">
          <Text>
            {open.length
              ? `${open.length} item(s) to do, ${open.filter((i) => i.overdue).length} overdue.`
              : "You are up to date."}
          </Text>
          <Group align="flex-end">
            <SegmentedControl
              aria-label="Show"
              value={show}
              onChange={(v) => setShow(v as typeof show)}
              data={[
                { value: "open", label: "To do" },
                { value: "done", label: "Done" },
                { value: "all", label: "All" },
              ]}
            />
            <TextInput
              label="Search"
              placeholder="Title"
              value={filter}
              onChange={(e) => setFilter(e.currentTarget.value)}
            />
          </Group>
          {items.length === 0 ? (
            <EmptyState
              my="lg"
              title={show === "open" ? "Nothing to do right now" : "Nothing here yet"}
              description={
                show === "open"
                  ? "When HR or Security assigns a policy or training, it appears here with its due date. Completed items are under Done."
                  : "Policies you accept and training you pass are listed here, with certificates to download."
              }
            />
          ) : (
            items.map((i) => <ItemCard key={i.assignmentId} item={i} />)
          )}
        </Stack>
      ) : null}
    </>
  );
}
