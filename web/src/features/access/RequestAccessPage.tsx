import {
  Alert,
  Button,
  Card,
  EmptyState,
  Group,
  List,
  Loader,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { ApiError, api, expectData } from "../../api/client";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { CHAIN_LABELS, isoFromLocal } from "./governanceLabels";
import { catalogueQuery } from "./governanceQueries";
import { ENTITLEMENT_KIND_LABELS } from "./labels";
import { accessKey } from "./queries";

/** The separation-of-duties problem the server reported, if that is what it was. */
function sodProblem(error: unknown): { code: string; detail: string; rules: string[] } | null {
  if (!(error instanceof ApiError)) return null;
  if (error.code !== "access.sod_conflict" && error.code !== "access.sod_justification_required") return null;
  return {
    code: error.code,
    detail: error.problem.detail ?? error.problem.title,
    rules: (error.problem.errors ?? []).map((e) => e.message),
  };
}

const ACCOUNT = "__account__";

/** Any employee asks for access beyond their role: an entitlement (or an account), a reason, an optional end. */
export function RequestAccessPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const catalogue = useQuery(catalogueQuery);
  const [systemId, setSystemId] = useState<string | null>(null);
  const [entitlement, setEntitlement] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [endsAt, setEndsAt] = useState("");
  const [justification, setJustification] = useState("");
  const [missing, setMissing] = useState<Record<string, string>>({});
  const system = catalogue.data?.find((s) => s.systemId === systemId);

  const send = useMutation({
    mutationFn: async () =>
      expectData(
        await api.POST("/api/v1/access/requests", {
          body: {
            systemId: systemId ?? "",
            entitlementId: entitlement === ACCOUNT ? null : entitlement,
            reason: reason.trim(),
            endsAt: isoFromLocal(endsAt),
            sodJustification: justification.trim() || null,
          },
        }),
      ),
    onSuccess: async (made) => {
      await queryClient.invalidateQueries({ queryKey: accessKey });
      void navigate({ to: "/access/requests/$id", params: { id: made.id } });
    },
  });
  const sod = sodProblem(send.error);
  const needsJustification = sod?.code === "access.sod_justification_required" || justification !== "";

  function submit(event: FormEvent) {
    event.preventDefault();
    const next: Record<string, string> = {};
    if (!systemId) next.systemId = "Choose a system";
    if (!entitlement) next.entitlementId = "Choose what you need on it";
    if (reason.trim().length < 3) next.reason = "Say why you need it";
    setMissing(next);
    if (Object.keys(next).length === 0) send.mutate();
  }

  return (
    <>
      <PageHeader
        title="Request access"
        description="Ask for access your role does not give you. Your manager and the system's owner decide; time-bound access ends by itself."
        actions={
          <ButtonLink to="/access/requests" variant="default">
            My requests
          </ButtonLink>
        }
      />
      {catalogue.isPending ? <Loader aria-label="Loading what can be requested" /> : null}
      <ErrorAlert error={catalogue.error} title="Could not load what can be requested" />
      {catalogue.isSuccess && catalogue.data.length === 0 ? (
        <EmptyState
          my="xl"
          title="Nothing can be requested yet"
          description="No system takes requests right now. Ask Security to open a system for requests."
        />
      ) : null}
      {catalogue.data?.length ? (
        <Card withBorder padding="lg" maw={720}>
          <form onSubmit={submit} noValidate>
            <Stack gap="md">
              <Select
                label="System"
                required
                searchable
                data={catalogue.data.map((s) => ({ value: s.systemId, label: s.name }))}
                value={systemId}
                onChange={(v) => {
                  setSystemId(v);
                  setEntitlement(null);
                }}
                error={missing.systemId ?? fieldError(send.error, "systemId")}
                description={
                  system
                    ? `Approved by ${CHAIN_LABELS[system.approvalChain] ?? system.approvalChain}`
                    : undefined
                }
              />
              <Select
                label="What you need"
                required
                searchable
                disabled={!system}
                placeholder={system ? "Choose an entitlement" : "Choose a system first"}
                data={
                  system
                    ? [
                        { value: ACCOUNT, label: "An account on the system" },
                        ...system.entitlements.map((e) => ({
                          value: e.id,
                          label: `${e.name} (${ENTITLEMENT_KIND_LABELS[e.kind]})`,
                        })),
                      ]
                    : []
                }
                value={entitlement}
                onChange={setEntitlement}
                error={missing.entitlementId ?? (sod ? undefined : fieldError(send.error, "entitlementId"))}
              />
              <Textarea
                label="Why you need it"
                required
                autosize
                minRows={3}
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                error={missing.reason ?? fieldError(send.error, "reason")}
              />
              <TextInput
                label="Until (optional)"
                description="Leave empty for lasting access; with a date it ends by itself"
                type="datetime-local"
                value={endsAt}
                onChange={(e) => setEndsAt(e.currentTarget.value)}
                error={fieldError(send.error, "endsAt")}
              />
              {sod ? (
                <Alert
                  color={sod.code === "access.sod_conflict" ? "red" : "orange"}
                  variant="light"
                  title={
                    sod.code === "access.sod_conflict"
                      ? "Blocked by separation of duties"
                      : "Separation of duties: a justification is needed"
                  }
                  role="alert"
                >
                  <Text size="sm">{sod.detail}</Text>
                  {sod.rules.length ? (
                    <List size="sm" mt="xs">
                      {sod.rules.map((r) => (
                        <List.Item key={r}>{r}</List.Item>
                      ))}
                    </List>
                  ) : null}
                  {sod.code === "access.sod_conflict" ? (
                    <Text size="sm" mt="xs">
                      This combination is not allowed. Give up the other access first, or ask Security.
                    </Text>
                  ) : null}
                </Alert>
              ) : null}
              {needsJustification ? (
                <Textarea
                  label="Justification for the separation-of-duties exception"
                  description="Every approver sees it (10 characters or more)"
                  required
                  autosize
                  minRows={2}
                  value={justification}
                  onChange={(e) => setJustification(e.currentTarget.value)}
                  error={
                    sod?.code === "access.sod_justification_required" && !justification
                      ? undefined
                      : fieldError(send.error, "sodJustification")
                  }
                />
              ) : null}
              {!sod ? (
                <ErrorAlert
                  error={send.error}
                  title="The request was not sent"
                  shownFields={["systemId", "entitlementId", "reason", "endsAt", "sodJustification"]}
                />
              ) : null}
              <Group justify="flex-end">
                <Button type="submit" loading={send.isPending}>
                  Send the request
                </Button>
              </Group>
            </Stack>
          </form>
        </Card>
      ) : null}
    </>
  );
}
