import { Alert, Button, Group, List, Loader, Modal, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { describeStep } from "./labels";
import { accessKey } from "./queries";
import type { Step } from "./types";

function bySystem(steps: readonly Step[]): [string, Step[]][] {
  const groups = new Map<string, Step[]>();
  for (const step of steps) {
    const name = step.systemName ?? "Devices and premises";
    groups.set(name, [...(groups.get(name) ?? []), step]);
  }
  return [...groups];
}

/** What a termination would do for the person now, computed by the server without writing anything. */
export function PlanPreviewModal({
  personId,
  personName,
  onClose,
}: {
  personId: string;
  personName: string;
  onClose: () => void;
}) {
  const preview = useQuery({
    queryKey: [...accessKey, "preview", personId, "leaver"] as const,
    queryFn: async () =>
      expectData(
        await api.POST("/api/v1/access/people/{id}/plan", {
          params: { path: { id: personId }, query: { dryRun: "true", leaver: "true" } },
        }),
      ),
    staleTime: 0,
    gcTime: 0,
  });
  const plan = preview.data;
  const groups = plan ? bySystem(plan.steps) : [];

  return (
    <Modal opened onClose={onClose} title={`Preview: what leaving would remove for ${personName}`} size="lg">
      <Stack gap="md">
        <Alert color="blue" variant="light" title="Dry run">
          Nothing has been changed. This is what Tandem would do if {personName} left now.
        </Alert>
        {preview.isPending ? <Loader aria-label="Working out the plan" /> : null}
        <ErrorAlert error={preview.error} title="Could not work out the plan" />
        {plan && plan.steps.length === 0 ? (
          <Text>Nothing to remove: Tandem knows of no access held by {personName}.</Text>
        ) : null}
        {groups.map(([system, steps]) => (
          <section key={system} aria-label={system}>
            <Title order={3} size="h5">
              {system}
            </Title>
            <List size="sm" mt={4}>
              {steps.map((step) => (
                <List.Item key={step.id}>{describeStep(step)}</List.Item>
              ))}
            </List>
          </section>
        ))}
        {plan?.notes.length ? (
          <Stack gap={4}>
            <Title order={3} size="h5">
              Notes
            </Title>
            <List size="sm">
              {plan.notes.map((note) => (
                <List.Item key={note}>{note}</List.Item>
              ))}
            </List>
          </Stack>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
