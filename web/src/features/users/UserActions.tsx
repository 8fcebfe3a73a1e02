import { Button, Group, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, expectData } from "../../api/client";
import type { User } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorAlert } from "../../components/ErrorAlert";
import { OneTimeSecret } from "../../components/OneTimeSecret";
import { absoluteUrl } from "../../components/url";
import { usersKey } from "./queries";

/** Disable/enable, reset password (one-time link) and reset MFA. */
export function UserActions({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const [setupUrl, setSetupUrl] = useState<string | null>(null);
  const [mfaReset, setMfaReset] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: usersKey });
  const path = { params: { path: { id: user.id } } };

  const setDisabled = useMutation({
    mutationFn: async (disabled: boolean) => {
      await api.PATCH("/api/v1/users/{id}", { ...path, body: { disabled } });
    },
    onSuccess: refresh,
  });
  const resetPassword = useMutation({
    mutationFn: async () => expectData(await api.POST("/api/v1/users/{id}/reset-password", path)),
    onSuccess: async (answer) => {
      setSetupUrl(answer.setupUrl);
      await refresh();
    },
  });
  const resetMfa = useMutation({
    mutationFn: async () => {
      await api.POST("/api/v1/users/{id}/reset-mfa", path);
    },
    onSuccess: async () => {
      setMfaReset(true);
      await refresh();
    },
  });

  return (
    <Stack gap="md">
      <Title order={3} size="h5">
        Account actions
      </Title>
      <ErrorAlert error={setDisabled.error ?? resetPassword.error ?? resetMfa.error} title="Action failed" />
      <Group>
        {user.disabled ? (
          <Button variant="light" loading={setDisabled.isPending} onClick={() => setDisabled.mutate(false)}>
            Enable account
          </Button>
        ) : (
          <ConfirmButton
            color="red"
            question={`Disable ${user.email}? Their sessions and tokens stop working.`}
            confirmLabel="Disable"
            loading={setDisabled.isPending}
            onConfirm={() => setDisabled.mutate(true)}
          >
            Disable account
          </ConfirmButton>
        )}
      </Group>
      <Group>
        <ConfirmButton
          question="Create a new one-time password link?"
          confirmLabel="Reset password"
          loading={resetPassword.isPending}
          onConfirm={() => resetPassword.mutate()}
        >
          Reset password
        </ConfirmButton>
      </Group>
      {setupUrl ? (
        <OneTimeSecret
          label="Password reset link"
          value={absoluteUrl(setupUrl)}
          warning={`Give this link to ${user.email} over a trusted channel. It works once and will not be shown again.`}
        />
      ) : null}
      <Group>
        <ConfirmButton
          question="Remove their authenticator and recovery codes?"
          confirmLabel="Reset MFA"
          loading={resetMfa.isPending}
          onConfirm={() => resetMfa.mutate()}
        >
          Reset MFA
        </ConfirmButton>
      </Group>
      {mfaReset ? (
        <Text role="status" size="sm">
          MFA was reset. They can set up a new authenticator after signing in.
        </Text>
      ) : null}
    </Stack>
  );
}
