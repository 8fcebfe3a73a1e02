import { Alert, Button, Group, List, Loader, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PersonName } from "./PersonName";
import { accessKey, heldPlansQuery } from "./queries";
import type { System } from "./types";

/** "Test connection" and "Read accounts", with what came of them. */
export function ConnectionPanel({ system }: { system: System }) {
  const queryClient = useQueryClient();
  const test = useMutation({
    mutationFn: async () =>
      expectData(await api.POST("/api/v1/access/systems/{id}/test", { params: { path: { id: system.id } } })),
  });
  const sync = useMutation({
    mutationFn: async () =>
      expectData(await api.POST("/api/v1/access/systems/{id}/sync", { params: { path: { id: system.id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: accessKey }),
  });
  const busy = test.isPending || sync.isPending;

  return (
    <Stack gap="sm" mb="lg" component="section" aria-label="Connection">
      <Group gap="sm">
        <Button
          variant="default"
          loading={test.isPending}
          disabled={busy}
          onClick={() => {
            sync.reset();
            test.mutate();
          }}
        >
          Test connection
        </Button>
        <Button
          variant="default"
          loading={sync.isPending}
          disabled={busy}
          onClick={() => {
            test.reset();
            sync.mutate();
          }}
        >
          Read accounts
        </Button>
      </Group>
      <div aria-live="polite">
        {test.isPending ? (
          <Group gap="xs">
            <Loader size="sm" aria-hidden />
            <Text size="sm">Checking the settings, the credentials and the places the connector needs…</Text>
          </Group>
        ) : null}
        {sync.isPending ? (
          <Group gap="xs">
            <Loader size="sm" aria-hidden />
            <Text size="sm">
              Reading every account and entitlement of {system.name}. On a large directory this takes a while;
              keep this page open.
            </Text>
          </Group>
        ) : null}
        {test.data ? (
          <Alert
            color={test.data.ok ? "teal" : "red"}
            variant="light"
            title={test.data.ok ? "The connection works" : "The connection does not work"}
            role={test.data.ok ? "status" : "alert"}
          >
            {test.data.detail}
            {test.data.kind && !test.data.ok ? (
              <Text size="xs" mt={4}>
                Kind of problem: {test.data.kind}
              </Text>
            ) : null}
          </Alert>
        ) : null}
        <ErrorAlert error={test.error} title="Could not test the connection" />
        {sync.data ? (
          <Alert color="teal" variant="light" title="Accounts read" role="status">
            {sync.data.accounts} account{sync.data.accounts === 1 ? "" : "s"} and {sync.data.entitlements}{" "}
            entitlement{sync.data.entitlements === 1 ? "" : "s"} read; {sync.data.linked} newly linked to
            people; {sync.data.removed} no longer on the system.
          </Alert>
        ) : null}
        {sync.error ? (
          <Stack gap={4}>
            <ErrorAlert error={sync.error} title="Could not read the accounts" />
            <Text size="sm" c="dimmed">
              Nothing was changed: the accounts known before are kept.
            </Text>
          </Stack>
        ) : null}
      </div>
    </Stack>
  );
}

/** When the circuit breaker holds plans for this system: which, why, and "Release". */
export function BreakerPanel({ system }: { system: System }) {
  const queryClient = useQueryClient();
  const canAdmin = useCan("access:admin");
  const held = useQuery({ ...heldPlansQuery, enabled: system.heldPlans > 0 });
  const release = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/access/breaker/{id}/release", { params: { path: { id: system.id } } }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accessKey }),
  });
  if (system.heldPlans === 0 && !release.data) return null;
  if (system.heldPlans === 0 && release.data) {
    return (
      <Alert color="teal" variant="light" title="Breaker released" mb="lg" role="status">
        {release.data.released.length} plan{release.data.released.length === 1 ? "" : "s"} released and
        running.
      </Alert>
    );
  }
  const plans = (held.data ?? []).filter((p) => p.heldSystemIds.includes(system.id));
  return (
    <Alert
      color="orange"
      variant="light"
      title={`The circuit breaker holds ${system.heldPlans} plan${system.heldPlans === 1 ? "" : "s"} for this system`}
      mb="lg"
      component="section"
      aria-label="Circuit breaker"
    >
      <Stack gap="sm">
        <Text size="sm">
          Together these plans would remove access from more than {Math.round(system.breakerThreshold * 100)}{" "}
          % of the system's accounts within a few minutes, which often means a wrong HR file. Nothing of them
          runs until a person confirms. Check the people below; cancel a plan that should not run, then
          release the rest.
        </Text>
        {held.isPending ? <Loader size="sm" aria-label="Loading the held plans" /> : null}
        {plans.length > 0 ? (
          <List size="sm" spacing={4}>
            {plans.map((plan) => (
              <List.Item key={plan.id}>
                <PersonName personId={plan.personId} /> ·{" "}
                <AnchorLink to="/access/plans/$id" params={{ id: plan.id }}>
                  plan of {formatDateTime(plan.createdAt)}
                </AnchorLink>
                {plan.heldReason ? ` · ${plan.heldReason}` : ""}
              </List.Item>
            ))}
          </List>
        ) : null}
        <ErrorAlert error={release.error} title="Could not release the breaker" />
        {canAdmin ? (
          <Group>
            <ConfirmButton
              variant="filled"
              question={`Run the ${system.heldPlans} held plan${system.heldPlans === 1 ? "" : "s"} now?`}
              confirmLabel="Release"
              loading={release.isPending}
              onConfirm={() => release.mutate()}
            >
              Release
            </ConfirmButton>
          </Group>
        ) : null}
      </Stack>
    </Alert>
  );
}
