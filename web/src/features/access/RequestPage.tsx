import {
  Alert,
  Button,
  Card,
  Group,
  Loader,
  Modal,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Timeline,
  Title,
} from "@mantine/core";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { LabelBadge } from "./badges";
import {
  APPROVER_ROLE_LABELS,
  CHAIN_LABELS,
  REQUEST_STATE_COLORS,
  REQUEST_STATE_LABELS,
} from "./governanceLabels";
import { requestQuery, requestsQuery } from "./governanceQueries";
import { accessKey } from "./queries";
import type { AccessRequest } from "./types";

const routeApi = getRouteApi("/authed/access/requests/$id");

type Verb = "approve" | "reject" | "cancel" | "end";
const VERB_LABELS: Record<Verb, string> = {
  approve: "Approve",
  reject: "Reject",
  cancel: "Withdraw the request",
  end: "End the access now",
};

function DecideModal({
  request,
  verb,
  onClose,
}: {
  request: AccessRequest;
  verb: Verb;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [comment, setComment] = useState("");
  const [missing, setMissing] = useState(false);
  const required = verb === "reject" || verb === "end";
  const act = useMutation({
    mutationFn: async () => {
      const path = { params: { path: { id: request.id } } };
      const text = comment.trim();
      if (verb === "approve")
        return expectData(
          await api.POST("/api/v1/access/requests/{id}/approve", {
            ...path,
            body: { comment: text || undefined },
          }),
        );
      if (verb === "reject")
        return expectData(
          await api.POST("/api/v1/access/requests/{id}/reject", { ...path, body: { comment: text } }),
        );
      if (verb === "cancel")
        return expectData(
          await api.POST("/api/v1/access/requests/{id}/cancel", {
            ...path,
            body: { reason: text || undefined },
          }),
        );
      return expectData(
        await api.POST("/api/v1/access/requests/{id}/end", { ...path, body: { reason: text } }),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: accessKey });
      onClose();
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (required && !comment.trim()) return setMissing(true);
    act.mutate();
  }
  return (
    <Modal opened onClose={onClose} title={VERB_LABELS[verb]}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Text size="sm">
            {request.entitlementName ?? "An account"} on {request.systemName}, for {request.personName}
          </Text>
          {request.sodJustification ? (
            <Alert color="orange" variant="light" title="Separation-of-duties exception">
              {request.sodJustification}
            </Alert>
          ) : null}
          <Textarea
            label={
              verb === "approve" ? "Comment (optional)" : verb === "cancel" ? "Reason (optional)" : "Comment"
            }
            description={verb === "reject" ? "The person who asked sees it" : undefined}
            required={required}
            autosize
            minRows={2}
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
            error={
              (missing && !comment.trim() ? "Say why" : undefined) ??
              fieldError(act.error, "comment") ??
              fieldError(act.error, "reason")
            }
            data-autofocus
          />
          <ErrorAlert error={act.error} title="Nothing was changed" shownFields={["comment", "reason"]} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Back
            </Button>
            <Button type="submit" color={verb === "approve" ? "teal.9" : "red"} loading={act.isPending}>
              {VERB_LABELS[verb]}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

/** One access request: what, why, the approval chain step by step, and the actions open to the viewer. */
export function RequestPage() {
  const { id } = routeApi.useParams();
  const canAdmin = useCan("access:admin");
  const request = useQuery(requestQuery(id));
  const toApprove = useInfiniteQuery(requestsQuery("approve", "pending"));
  const mine = useInfiniteQuery(requestsQuery("mine", "pending"));
  const [verb, setVerb] = useState<Verb | null>(null);
  const r = request.data;
  const mayDecide = !!toApprove.data?.pages.some((p) => p.items.some((x) => x.id === id));
  const isMine = !!mine.data?.pages.some((p) => p.items.some((x) => x.id === id));

  return (
    <>
      <PageHeader
        title={r ? `${r.entitlementName ?? "Account"} on ${r.systemName}` : "Access request"}
        description={r ? `Asked by ${r.personName} on ${formatDateTime(r.createdAt)}` : undefined}
        actions={
          r ? (
            <>
              {mayDecide && r.state === "pending" ? (
                <>
                  <Button color="teal.9" onClick={() => setVerb("approve")}>
                    Approve
                  </Button>
                  <Button color="red" variant="light" onClick={() => setVerb("reject")}>
                    Reject
                  </Button>
                </>
              ) : null}
              {isMine && r.state === "pending" ? (
                <Button variant="default" onClick={() => setVerb("cancel")}>
                  Withdraw
                </Button>
              ) : null}
              {canAdmin && r.state === "approved" ? (
                <Button color="red" variant="light" onClick={() => setVerb("end")}>
                  End the access now
                </Button>
              ) : null}
            </>
          ) : null
        }
      />
      {request.isPending ? <Loader aria-label="Loading the request" /> : null}
      <ErrorAlert error={request.error} title="Could not load the request" />
      {r ? (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Card withBorder padding="md" component="section" aria-labelledby="request-facts">
            <Title order={2} size="h4" id="request-facts" mb="sm">
              The request
            </Title>
            <Stack gap="sm">
              <Fact label="State">
                <LabelBadge label={REQUEST_STATE_LABELS[r.state]} color={REQUEST_STATE_COLORS[r.state]} />
              </Fact>
              <Fact label="Reason">{r.reason}</Fact>
              <Fact label="Until">{r.endsAt ? formatDateTime(r.endsAt) : "Lasting (no end date)"}</Fact>
              <Fact label="Approved by">{CHAIN_LABELS[r.approvalChain] ?? r.approvalChain}</Fact>
              {r.sodRules.length ? (
                <Alert color="orange" variant="light" title="Crosses separation of duties">
                  {r.sodRules.map((s) => (
                    <Text size="sm" key={s.id}>
                      {s.name}: {s.description}
                    </Text>
                  ))}
                  {r.sodJustification ? (
                    <Text size="sm" mt="xs">
                      Justification: {r.sodJustification}
                    </Text>
                  ) : null}
                </Alert>
              ) : null}
              {r.grantPlanId ? (
                <Fact label="Granted">
                  {formatDateTime(r.grantedAt)} ·{" "}
                  <AnchorLink to="/access/plans/$id" params={{ id: r.grantPlanId }} size="sm">
                    the plan granting it
                  </AnchorLink>
                </Fact>
              ) : null}
              {r.endPlanId ? (
                <Fact label="Ended">
                  {formatDateTime(r.endedAt)}
                  {r.endReason ? ` (${r.endReason})` : ""} ·{" "}
                  <AnchorLink to="/access/plans/$id" params={{ id: r.endPlanId }} size="sm">
                    the plan removing it
                  </AnchorLink>
                </Fact>
              ) : null}
            </Stack>
          </Card>
          <Card withBorder padding="md" component="section" aria-labelledby="request-chain">
            <Title order={2} size="h4" id="request-chain" mb="sm">
              Approval chain
            </Title>
            <Timeline
              active={r.steps.filter((s) => s.state === "approved").length - 1}
              bulletSize={18}
              lineWidth={2}
            >
              {r.steps.map((s) => (
                <Timeline.Item
                  key={s.seq}
                  color={s.state === "rejected" ? "red" : s.state === "approved" ? "teal" : "blue"}
                  title={`${s.seq}. ${APPROVER_ROLE_LABELS[s.role] ?? s.role}${s.approverName ? `: ${s.approverName}` : ""}`}
                >
                  <Text size="sm">
                    {s.state === "pending"
                      ? "Deciding now"
                      : s.state === "waiting"
                        ? "Waiting for the step before"
                        : s.state === "approved"
                          ? `Approved ${formatDateTime(s.decidedAt)}`
                          : s.state === "rejected"
                            ? `Rejected ${formatDateTime(s.decidedAt)}`
                            : "Cancelled"}
                  </Text>
                  {s.routedReason ? (
                    <Text size="xs" c="orange.9">
                      Sent to Security: {s.routedReason}
                    </Text>
                  ) : null}
                  {s.comment ? (
                    <Text size="xs" c="dimmed">
                      “{s.comment}”
                    </Text>
                  ) : null}
                </Timeline.Item>
              ))}
            </Timeline>
          </Card>
        </SimpleGrid>
      ) : null}
      {r && verb ? <DecideModal request={r} verb={verb} onClose={() => setVerb(null)} /> : null}
    </>
  );
}
