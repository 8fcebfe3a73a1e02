import { Button, Group, MultiSelect, Stack, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import type { Role, User } from "../../api/types";
import { useSession } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { ROLE_OPTIONS, toRoles } from "../../components/RoleBadges";
import { usersKey } from "./queries";

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Rename a user and change their roles (the drawer remounts this per user). */
export function UserEditForms({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const isMe = useSession().user.id === user.id;
  const [displayName, setDisplayName] = useState(user.displayName);
  const [roles, setRoles] = useState<Role[]>(toRoles(user.roles));
  const refresh = () => queryClient.invalidateQueries({ queryKey: usersKey });
  const path = { params: { path: { id: user.id } } };

  const saveName = useMutation({
    mutationFn: async (name: string) => {
      await api.PATCH("/api/v1/users/{id}", { ...path, body: { displayName: name } });
    },
    onSuccess: refresh,
  });
  const saveRoles = useMutation({
    mutationFn: async (next: Role[]) => {
      await api.PUT("/api/v1/users/{id}/roles", { ...path, body: { roles: next } });
    },
    onSuccess: refresh,
  });

  function submitName(event: FormEvent) {
    event.preventDefault();
    if (displayName.trim()) saveName.mutate(displayName.trim());
  }
  function submitRoles(event: FormEvent) {
    event.preventDefault();
    saveRoles.mutate(roles);
  }

  return (
    <>
      <form onSubmit={submitName} noValidate>
        <Stack gap="xs">
          <ErrorAlert error={saveName.error} title="Could not rename" shownFields={["displayName"]} />
          <TextInput
            label="Display name"
            value={displayName}
            onChange={(event) => setDisplayName(event.currentTarget.value)}
            error={fieldError(saveName.error, "displayName")}
          />
          <Group>
            <Button
              type="submit"
              variant="light"
              loading={saveName.isPending}
              disabled={displayName.trim() === user.displayName || !displayName.trim()}
            >
              Save name
            </Button>
          </Group>
        </Stack>
      </form>
      <form onSubmit={submitRoles} noValidate>
        <Stack gap="xs">
          <ErrorAlert error={saveRoles.error} title="Could not change roles" shownFields={["roles"]} />
          <MultiSelect
            label="Roles"
            description={isMe ? "Careful: without the admin role you lose access to this page." : undefined}
            data={ROLE_OPTIONS}
            value={roles}
            onChange={(values) => setRoles(toRoles(values))}
            error={fieldError(saveRoles.error, "roles")}
          />
          <Group>
            <Button
              type="submit"
              variant="light"
              loading={saveRoles.isPending}
              disabled={sameSet(roles, user.roles)}
            >
              Save roles
            </Button>
          </Group>
        </Stack>
      </form>
    </>
  );
}
