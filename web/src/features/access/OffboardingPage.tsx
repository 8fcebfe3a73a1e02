import {
  Alert,
  Button,
  Card,
  EmptyState,
  Group,
  Loader,
  Progress,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { ApiError } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTimeSeconds } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { personQuery } from "../people/queries";
import { PlanStateBadge, SystemProgressBadge } from "./badges";
import { LeaverCertificate } from "./CertificatesPage";
import { formatDuration, sentence } from "./labels";
import { PlanPreviewModal } from "./PlanPreview";
import { OFFBOARDING_REFRESH_MS, offboardingQuery } from "./queries";
import { RevokeNowModal } from "./RevokeNowModal";
import { StepsTable } from "./StepsTable";
import type { Offboarding, OffboardingSystem } from "./types";

const routeApi = getRouteApi("/authed/access/people/$personId/offboarding");

/** The current time, ticking every second while `running`. */
function useNow(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [running]);
  return now;
}

/** The clock from the HR event to the verified revocation of every account (still running until then). */
function RevocationClock({ view }: { view: Offboarding }) {
  const start = view.hrEventAt ? Date.parse(view.hrEventAt) : null;
  const stop = view.accessRevokedAt ? Date.parse(view.accessRevokedAt) : null;
  const now = useNow(start !== null && stop === null);
  if (start === null) {
    return <Text c="dimmed">No HR event time is known for this departure.</Text>;
  }
  const seconds = ((stop ?? now) - start) / 1000;
  if (seconds < 0) {
    return (
      <Text>
        The termination takes effect in <strong>{formatDuration(-seconds)}</strong> (
        {formatDateTimeSeconds(view.hrEventAt)}).
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      <Text size="sm" c="dimmed">
        {stop ? "Access revoked on every system in" : "Time since the HR event"}
      </Text>
      <Text
        role="timer"
        aria-label={stop ? "Time to revoke all access" : "Time since the HR event"}
        fz={36}
        fw={700}
        lh={1.1}
        c={stop ? "teal.9" : undefined}
        style={{ fontVariantNumeric: "tabular-nums" }}
      >
        {formatDuration(seconds)}
      </Text>
      <Text size="xs" c="dimmed">
        HR event {formatDateTimeSeconds(view.hrEventAt)}
        {stop ? ` · revoked ${formatDateTimeSeconds(view.accessRevokedAt)}` : ""}
      </Text>
    </Stack>
  );
}

function SystemCard({
  system,
  readOnly,
  planIds,
  personId,
}: {
  system: OffboardingSystem;
  readOnly: boolean;
  planIds: readonly string[];
  personId: string;
}) {
  const done = system.state === "verified";
  const live = system.steps.filter((s) => s.state !== "cancelled");
  const verified = live.filter((s) => s.state === "verified").length;
  return (
    <Card
      withBorder
      padding="md"
      component="section"
      aria-labelledby={`system-${system.systemId ?? "none"}`}
      style={{
        borderColor: done ? "var(--mantine-color-teal-6)" : undefined,
        borderLeftWidth: 6,
        borderLeftColor: `var(--mantine-color-${done ? "teal" : system.state === "failed" ? "red" : system.state === "held" ? "orange" : system.state === "manual" ? "yellow" : "blue"}-6)`,
        background: done ? "var(--mantine-color-teal-0)" : undefined,
      }}
    >
      <Group justify="space-between" mb="xs">
        <Group gap="sm">
          <Title order={2} size="h4" id={`system-${system.systemId ?? "none"}`}>
            {system.systemId ? (
              <AnchorLink to="/access/systems/$id" params={{ id: system.systemId }} inherit>
                {system.systemName}
              </AnchorLink>
            ) : (
              system.systemName
            )}
          </Title>
          <SystemProgressBadge state={system.state} />
        </Group>
        <Text size="sm">
          {verified} of {live.length} verified
        </Text>
      </Group>
      <StepsTable
        label={`Steps on ${system.systemName}`}
        steps={system.steps}
        readOnly={readOnly}
        personId={personId}
        planLabel={planIds.length > 1 ? (id) => `Plan ${planIds.indexOf(id) + 1}` : undefined}
        isHeld={() => system.state === "held"}
      />
    </Card>
  );
}

function NoDeparture({ name, onPreview }: { name: string; onPreview: () => void }) {
  return (
    <EmptyState
      my="xl"
      title="No departure in progress"
      description={`${name === "this person" ? "This person" : name} has no leaver plan. When HR records a termination, Tandem plans the removal of every account and entitlement, shows its progress here system by system, and proves each removal by reading the system back. Preview what it would do, or revoke everything now if Security needs to.`}
    >
      <Group justify="center" mt="md">
        <Button variant="default" onClick={onPreview}>
          Preview plan (dry run)
        </Button>
      </Group>
    </EmptyState>
  );
}

/** The leaver page: each system's removal steps, the clock since the HR event, preview and revoke now. */
export function OffboardingPage() {
  const { personId }: { personId: string } = routeApi.useParams();
  const canAdmin = useCan("access:admin");
  const canPeople = useCan("people:read");
  const [previewing, setPreviewing] = useState(false);
  const [revoking, setRevoking] = useState(false);
  const person = useQuery({ ...personQuery(personId), enabled: canPeople });
  const view = useQuery(offboardingQuery(personId));
  const name = person.data?.person.displayName ?? "this person";
  const noPlan = view.error instanceof ApiError && view.error.code === "access.no_leaver_plan";
  const data = view.data;
  const live = data ? data.systems.flatMap((s) => s.steps).filter((s) => s.state !== "cancelled") : [];
  const verified = live.filter((s) => s.state === "verified").length;
  const failed = live.filter((s) => s.state === "failed").length;
  const share = live.length ? Math.round((verified / live.length) * 100) : 100;
  const finished = !!data && (!!data.completedAt || data.plan.state === "cancelled");
  const readOnly = data?.plan.state === "cancelled";

  return (
    <>
      {canPeople ? (
        <AnchorLink to="/people/$id" params={{ id: personId }} size="sm">
          ← {person.data?.person.displayName ?? "Person"}
        </AnchorLink>
      ) : null}
      <PageHeader
        title={
          person.data ? `${person.data.person.displayName}: access and offboarding` : "Access and offboarding"
        }
        description="Every system's removal steps, each proved by reading the system back."
        actions={
          <>
            <Button variant="default" onClick={() => setPreviewing(true)}>
              Preview plan (dry run)
            </Button>
            {canAdmin ? (
              <Button color="red" onClick={() => setRevoking(true)}>
                Revoke now
              </Button>
            ) : null}
          </>
        }
      />
      {view.isPending ? <Loader aria-label="Loading the departure" /> : null}
      {noPlan ? <NoDeparture name={name} onPreview={() => setPreviewing(true)} /> : null}
      {!noPlan ? <ErrorAlert error={view.error} title="Could not load the departure" /> : null}
      {data ? (
        <Stack gap="lg">
          <Card withBorder padding="lg" component="section" aria-label="Progress">
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
              <RevocationClock view={data} />
              <Stack gap="xs">
                <Group gap="xs">
                  <PlanStateBadge state={data.plan.state} />
                  {data.plan.immediate ? <Text size="sm">Immediate</Text> : null}
                </Group>
                <Progress
                  value={share}
                  size="lg"
                  color={failed ? "red" : "teal"}
                  aria-label={`${verified} of ${live.length} steps verified`}
                />
                <Text size="sm">
                  {verified} of {live.length} steps verified
                  {failed ? `, ${failed} failed` : ""}
                </Text>
                <Text size="sm" c={data.completedAt ? "teal.9" : failed ? "red.9" : "dimmed"}>
                  {data.completedAt
                    ? `Everything done, tasks for people included, ${formatDateTimeSeconds(data.completedAt)}.`
                    : failed
                      ? "Some steps failed: retry them, or hand them to a person, below."
                      : data.plan.state === "held"
                        ? "Held: nothing runs on the held systems until a person releases the breaker."
                        : data.accessRevokedAt
                          ? "Every account is revoked; tasks for people are still open."
                          : "Accounts are still being revoked."}
                </Text>
                <Text size="xs" c="dimmed" aria-live="off">
                  {finished
                    ? "Final state."
                    : `Refreshes every ${OFFBOARDING_REFRESH_MS / 1000} s · last read ${new Date(view.dataUpdatedAt).toLocaleTimeString()}`}
                </Text>
                <Group gap="xs">
                  <AnchorLink to="/access/tasks" search={{ personId }} size="sm">
                    Tasks
                  </AnchorLink>
                  {data.planIds.map((id, i) => (
                    <AnchorLink key={id} to="/access/plans/$id" params={{ id }} size="sm">
                      {data.planIds.length > 1 ? `Plan ${i + 1}` : "Open the plan"}
                    </AnchorLink>
                  ))}
                </Group>
              </Stack>
            </SimpleGrid>
          </Card>
          {data.completedAt ? <LeaverCertificate personId={personId} /> : null}
          {data.plan.state === "held" ? (
            <Alert color="orange" variant="light" title="Held by the circuit breaker">
              {sentence(data.plan.heldReason ?? "Too many removals at once on a system")} Release the breaker
              on the system's page once the batch is confirmed, or use Revoke now: it is never held.
            </Alert>
          ) : null}
          {data.systems.map((system) => (
            <SystemCard
              key={system.systemId ?? "none"}
              system={system}
              readOnly={readOnly}
              planIds={data.planIds}
              personId={personId}
            />
          ))}
        </Stack>
      ) : null}
      {previewing ? (
        <PlanPreviewModal personId={personId} personName={name} onClose={() => setPreviewing(false)} />
      ) : null}
      {revoking ? (
        <RevokeNowModal
          personId={personId}
          personName={person.data?.person.displayName ?? "this person"}
          confirmText={person.data?.person.displayName ?? "REVOKE"}
          onClose={() => setRevoking(false)}
        />
      ) : null}
    </>
  );
}
