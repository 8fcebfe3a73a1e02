import { Alert, Button, Group, Modal, Radio, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { PersonPicker } from "../people/PersonPicker";
import {
  candidatesOf,
  FINDING_KIND_HELP,
  FINDING_KIND_LABELS,
  isoFromLocal,
  localInput,
} from "./governanceLabels";
import { PersonName } from "./PersonName";
import { accessKey } from "./queries";
import type { Finding } from "./types";

export type FindingDecision = "revoke" | "link" | "grant" | "accept";

const TITLES: Record<FindingDecision, string> = {
  revoke: "Revoke the access",
  link: "Link the account to a person",
  grant: "Grant the missing access",
  accept: "Accept as an exception",
};

function what(f: Finding): string {
  const account = f.username ?? f.accountRef;
  const ent = typeof f.details.entitlementName === "string" ? f.details.entitlementName : f.entitlementRef;
  return [f.systemName, account, ent].filter(Boolean).join(" · ");
}

/** One decision on a finding: fix it (revoke, link, grant) or accept it with a justification and an expiry. */
export function FindingDecisionModal({
  finding,
  decision,
  onClose,
}: {
  finding: Finding;
  decision: FindingDecision;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const canPickPeople = useCan("people:read");
  const candidates = candidatesOf(finding);
  const rehire = finding.kind === "possible_rehire";
  const [personId, setPersonId] = useState<string | null>(
    rehire ? (candidates.find((c) => !c.former)?.personId ?? null) : null,
  );
  const [personLabel, setPersonLabel] = useState<string | null>(null);
  const [choice, setChoice] = useState<"old_identity" | "fresh">("old_identity");
  const [justification, setJustification] = useState("");
  const [until, setUntil] = useState(() => localInput(new Date(Date.now() + 90 * 86_400_000)));
  const [missing, setMissing] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: async () => {
      const path = { params: { path: { id: finding.id } } };
      if (decision === "accept") {
        return expectData(
          await api.POST("/api/v1/access/findings/{id}/accept", {
            ...path,
            body: { justification: justification.trim(), expiresAt: isoFromLocal(until) ?? "" },
          }),
        );
      }
      return expectData(
        await api.POST("/api/v1/access/findings/{id}/fix", {
          ...path,
          body:
            decision === "link"
              ? rehire
                ? { action: "link", personId: personId ?? undefined, choice }
                : { action: "link", personId: personId ?? undefined }
              : { action: decision },
        }),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: accessKey });
      onClose();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (decision === "link" && !personId) return setMissing("Choose the person the account belongs to");
    if (decision === "accept" && justification.trim().length < 3)
      return setMissing("Say why this is acceptable");
    setMissing(null);
    save.mutate();
  }

  return (
    <Modal opened onClose={onClose} title={TITLES[decision]} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <div>
            <Text fw={600}>{FINDING_KIND_LABELS[finding.kind]}</Text>
            <Text size="sm">{what(finding)}</Text>
            <Text size="sm" c="dimmed">
              {FINDING_KIND_HELP[finding.kind]}
            </Text>
          </div>
          {decision === "revoke" ? (
            <Text size="sm">
              Tandem makes a plan that takes this access away on the system as last read, goes through the
              circuit breaker and verifies each step by reading the system back. The finding stays “being
              fixed” until a reconciliation no longer sees it.
            </Text>
          ) : null}
          {decision === "grant" ? (
            <Text size="sm">
              Tandem makes a plan that creates or enables the account with what the person's desired state
              gives, or grants the entitlement, and verifies it by reading the system back.
            </Text>
          ) : null}
          {decision === "link" && candidates.length > 0 ? (
            <Radio.Group
              label={rehire ? "The person at work" : "Who is it?"}
              description="The identifiers of the account point at these people"
              value={personId ?? ""}
              onChange={(v) => setPersonId(v || null)}
            >
              <Stack gap="xs" mt="xs">
                {candidates.map((c) => (
                  <Radio
                    key={`${c.personId}-${c.rule}`}
                    value={c.personId}
                    disabled={rehire && c.former}
                    label={
                      <Text size="sm" span>
                        <PersonName personId={c.personId} size="sm" /> — matched by {c.rule.replace("_", " ")}
                        {c.former ? " (former employee)" : ""}
                      </Text>
                    }
                  />
                ))}
              </Stack>
            </Radio.Group>
          ) : null}
          {decision === "link" && candidates.length === 0 && canPickPeople ? (
            <PersonPicker
              label="The person the account belongs to"
              value={personId}
              valueLabel={personLabel}
              onChange={(id, label) => {
                setPersonId(id);
                setPersonLabel(label);
              }}
              error={fieldError(save.error, "personId")}
            />
          ) : null}
          {decision === "link" && candidates.length === 0 && !canPickPeople ? (
            <Alert color="yellow" variant="light">
              Linking needs a person picked from the directory, which your role cannot read.
            </Alert>
          ) : null}
          {decision === "link" && rehire ? (
            <Radio.Group
              label="Old identity or a fresh start?"
              value={choice}
              onChange={(v) => setChoice(v === "fresh" ? "fresh" : "old_identity")}
            >
              <Stack gap="xs" mt="xs">
                <Radio
                  value="old_identity"
                  label="Link to the old identity: the person at work continues with this account"
                />
                <Radio
                  value="fresh"
                  label="Start fresh: the account stays with the former person; the person at work gets a new account from their profiles"
                />
              </Stack>
            </Radio.Group>
          ) : null}
          {decision === "accept" ? (
            <>
              <Textarea
                label="Justification"
                description="Why this is acceptable, for the auditor"
                required
                autosize
                minRows={2}
                value={justification}
                onChange={(e) => setJustification(e.currentTarget.value)}
                error={fieldError(save.error, "justification")}
                data-autofocus
              />
              <TextInput
                label="Accepted until"
                description="At most a year ahead; the first reconciliation after this date reopens it"
                type="datetime-local"
                required
                value={until}
                onChange={(e) => setUntil(e.currentTarget.value)}
                error={fieldError(save.error, "expiresAt")}
              />
            </>
          ) : null}
          {missing ? (
            <Text c="red.9" size="sm" role="alert">
              {missing}
            </Text>
          ) : null}
          <ErrorAlert
            error={save.error}
            title="The decision was not recorded"
            shownFields={["justification", "expiresAt", "personId"]}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} color={decision === "revoke" ? "red" : undefined}>
              {TITLES[decision]}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
