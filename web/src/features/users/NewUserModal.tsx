import { Button, Group, Modal, MultiSelect, Stack, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import type { Role } from "../../api/types";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { OneTimeSecret } from "../../components/OneTimeSecret";
import { ROLE_OPTIONS, toRoles } from "../../components/RoleBadges";
import { absoluteUrl } from "../../components/url";
import { usersKey } from "./queries";

interface NewUserModalProps {
  opened: boolean;
  onClose: () => void;
}

export function NewUserModal({ opened, onClose }: NewUserModalProps) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [roles, setRoles] = useState<Role[]>(["employee"]);
  const create = useMutation({
    mutationFn: async (body: { email: string; displayName: string; roles: Role[] }) =>
      expectData(await api.POST("/api/v1/users", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: usersKey }),
  });

  function close() {
    onClose();
    setEmail("");
    setDisplayName("");
    setRoles(["employee"]);
    create.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ email: email.trim(), displayName: displayName.trim(), roles });
  }

  return (
    <Modal opened={opened} onClose={close} title="New user" size="lg">
      {create.data ? (
        <Stack gap="md">
          <OneTimeSecret
            label="Setup link"
            value={absoluteUrl(create.data.setupUrl)}
            warning={`Send this link to ${create.data.user.email} over a trusted channel. They use it once to choose a password; it expires and will not be shown again.`}
          />
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <ErrorAlert
              error={create.error}
              title="Could not create the user"
              shownFields={["email", "displayName", "roles"]}
            />
            <TextInput
              label="Email"
              type="email"
              value={email}
              onChange={(event) => setEmail(event.currentTarget.value)}
              required
              data-autofocus
              error={fieldError(create.error, "email")}
            />
            <TextInput
              label="Display name"
              value={displayName}
              onChange={(event) => setDisplayName(event.currentTarget.value)}
              required
              error={fieldError(create.error, "displayName")}
            />
            <MultiSelect
              label="Roles"
              data={ROLE_OPTIONS}
              value={roles}
              onChange={(values) => setRoles(toRoles(values))}
              error={fieldError(create.error, "roles")}
              comboboxProps={{ withinPortal: true }}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button
                type="submit"
                loading={create.isPending}
                disabled={!email.trim() || !displayName.trim()}
              >
                Create user
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
