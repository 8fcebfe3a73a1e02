import { Alert, Button, Card, Checkbox, Group, List, Loader, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { DueBadge, SafeHtml } from "./badges";
import { awarenessKey, myPolicyQuery } from "./queries";

const routeApi = getRouteApi("/authed/awareness/policies/$id");

/** The policy reader: the current version, and "I have read and accept version N". */
export function PolicyReaderPage() {
  const { id } = routeApi.useParams();
  const qc = useQueryClient();
  const policy = useQuery(myPolicyQuery(id));
  const [read, setRead] = useState(false);
  const accept = useMutation({
    mutationFn: async (version: number) =>
      expectData(
        await api.POST("/api/v1/awareness/me/policies/{id}/acknowledge", {
          params: { path: { id } },
          body: { version },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: awarenessKey }),
  });
  const p = policy.data;
  return (
    <>
      <PageHeader
        title={p?.title ?? "Policy"}
        description={p ? `Version ${p.version} · owner: ${p.owner}` : undefined}
        actions={
          <ButtonLink to="/awareness" variant="default">
            Back to my list
          </ButtonLink>
        }
      />
      {policy.isPending ? <Loader aria-label="Loading the policy" /> : null}
      <ErrorAlert error={policy.error} title="Could not load the policy" />
      {p ? (
        <Stack gap="md">
          <Group>
            <DueBadge status={p.status} dueAt={p.dueAt} />
          </Group>
          <Card withBorder padding="lg">
            <SafeHtml html={p.bodyHtml} />
          </Card>
          {p.acknowledgedAt ? (
            <Alert color="teal" variant="light" title={`You accepted version ${p.version}`}>
              On {formatDateTime(p.acknowledgedAt)}. Nothing more to do until a new version is published.
            </Alert>
          ) : (
            <Card withBorder padding="md">
              <Stack gap="sm">
                <Checkbox
                  label={`I have read and accept version ${p.version} of this policy`}
                  checked={read}
                  onChange={(e) => setRead(e.currentTarget.checked)}
                />
                <Group>
                  <Button
                    disabled={!read}
                    loading={accept.isPending}
                    onClick={() => accept.mutate(p.version)}
                  >
                    Accept version {p.version}
                  </Button>
                </Group>
                <ErrorAlert error={accept.error} title="Could not record your acceptance" />
              </Stack>
            </Card>
          )}
          {p.history.length ? (
            <Card withBorder padding="md">
              <Text fw={600} mb="xs">
                Your acceptances
              </Text>
              <List size="sm">
                {p.history.map((h) => (
                  <List.Item key={h.version}>
                    Version {h.version}, {formatDateTime(h.acknowledgedAt)}
                  </List.Item>
                ))}
              </List>
            </Card>
          ) : null}
        </Stack>
      ) : null}
    </>
  );
}
