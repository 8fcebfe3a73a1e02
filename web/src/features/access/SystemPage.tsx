import { Box, Button, Loader, Tabs } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { api } from "../../api/client";
import { useCan } from "../../app/session";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert } from "../../components/ErrorAlert";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { personQuery } from "../people/queries";
import { AccountsTab } from "./AccountsTab";
import { EntitlementsTab } from "./EntitlementsTab";
import { accessKey, connectorTypesQuery, systemQuery } from "./queries";
import { BreakerPanel, ConnectionPanel } from "./SystemActions";
import { SystemDetails } from "./SystemDetails";
import { SystemModal } from "./SystemModal";

const routeApi = getRouteApi("/authed/access/systems/$id");

/** One system: its facts and settings, connection test and read, breaker, entitlements and accounts. */
export function SystemPage() {
  const { id }: { id: string } = routeApi.useParams();
  const { tab }: { tab?: string } = routeApi.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const canAdmin = useCan("access:admin");
  const canPeople = useCan("people:read");
  const [editing, setEditing] = useState(false);
  const current = useQuery(systemQuery(id));
  const types = useQuery(connectorTypesQuery);
  const ownerId = current.data?.ownerPersonId ?? null;
  const owner = useQuery({ ...personQuery(ownerId ?? ""), enabled: canPeople && !!ownerId });
  const remove = useMutation({
    mutationFn: async () => {
      await api.DELETE("/api/v1/access/systems/{id}", { params: { path: { id } } });
    },
    onSuccess: async () => {
      await navigate({ to: "/access/systems" });
      await queryClient.invalidateQueries({ queryKey: accessKey });
    },
  });

  if (current.isPending) return <Loader aria-label="Loading the system" />;
  if (!current.data) {
    return (
      <>
        <PageHeader title="System" />
        <ErrorAlert error={current.error} title="Could not load this system" />
        <AnchorLink to="/access/systems">Back to Systems</AnchorLink>
      </>
    );
  }
  const system = current.data;
  const typeLabel = types.data?.find((t) => t.type === system.connectorType)?.label ?? system.connectorType;
  const active = tab === "accounts" ? "accounts" : "entitlements";

  return (
    <>
      <AnchorLink to="/access/systems" size="sm">
        ← Systems
      </AnchorLink>
      <PageHeader
        title={system.name}
        description={typeLabel}
        actions={
          canAdmin ? (
            <>
              <Button variant="default" onClick={() => setEditing(true)}>
                Edit
              </Button>
              <ConfirmButton
                question={`Delete ${system.name}?`}
                confirmLabel="Delete"
                color="red"
                loading={remove.isPending}
                onConfirm={() => remove.mutate()}
              >
                Delete
              </ConfirmButton>
            </>
          ) : null
        }
      />
      {remove.error ? (
        <Box mb="lg">
          <ErrorAlert error={remove.error} title="Could not delete the system" />
        </Box>
      ) : null}
      <BreakerPanel system={system} />
      <SystemDetails system={system} typeLabel={typeLabel} />
      {canAdmin ? <ConnectionPanel system={system} /> : null}
      <Tabs
        value={active}
        onChange={(next) =>
          void navigate({
            to: "/access/systems/$id",
            params: { id },
            search: { tab: next === "accounts" ? "accounts" : undefined },
            replace: true,
          })
        }
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="entitlements">Entitlements</Tabs.Tab>
          <Tabs.Tab value="accounts">Accounts ({system.accounts})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="entitlements">
          <EntitlementsTab system={system} />
        </Tabs.Panel>
        <Tabs.Panel value="accounts">
          <AccountsTab system={system} />
        </Tabs.Panel>
      </Tabs>
      {editing ? (
        <SystemModal
          system={system}
          ownerName={owner.data?.person.displayName ?? null}
          onClose={() => setEditing(false)}
        />
      ) : null}
    </>
  );
}
