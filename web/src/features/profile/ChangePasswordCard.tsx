import { Alert, Button, Card, Group, PasswordInput, Stack, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { sessionKey, useSession } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { MIN_PASSWORD_LENGTH, passwordProblems } from "../signin/passwordRules";

export function ChangePasswordCard() {
  const queryClient = useQueryClient();
  const { user } = useSession();
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [touched, setTouched] = useState(false);
  const change = useMutation({
    mutationFn: async (body: { currentPassword: string; newPassword: string }) => {
      await api.POST("/api/v1/me/password", { body });
    },
    onSuccess: async () => {
      setCurrentPassword("");
      setNewPassword("");
      setConfirm("");
      setTouched(false);
      // The server may rotate the session (and its CSRF token) on a password change.
      await queryClient.invalidateQueries({ queryKey: sessionKey });
    },
  });
  const problems = passwordProblems(newPassword, confirm);

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!currentPassword || problems.password || problems.confirm) return;
    change.mutate({ currentPassword, newPassword });
  }

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="profile-password">
      <Title order={2} size="h3" id="profile-password" mb="md">
        Change password
      </Title>
      <form onSubmit={submit} noValidate>
        {/* Lets password managers tie the new password to this account. */}
        <input type="email" name="username" autoComplete="username" value={user.email} readOnly hidden />
        <Stack gap="md" maw={420}>
          {change.isSuccess ? (
            <Alert color="teal" variant="light" title="Password changed" role="status">
              Use your new password the next time you sign in.
            </Alert>
          ) : null}
          <ErrorAlert
            error={change.error}
            title="Could not change the password"
            shownFields={["currentPassword", "newPassword"]}
          />
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            value={currentPassword}
            onChange={(event) => setCurrentPassword(event.currentTarget.value)}
            required
            error={
              (touched && !currentPassword && "Enter your current password.") ||
              fieldError(change.error, "currentPassword")
            }
          />
          <PasswordInput
            label="New password"
            description={`At least ${MIN_PASSWORD_LENGTH} characters`}
            autoComplete="new-password"
            value={newPassword}
            onChange={(event) => setNewPassword(event.currentTarget.value)}
            required
            error={(touched && problems.password) || fieldError(change.error, "newPassword")}
          />
          <PasswordInput
            label="Confirm new password"
            autoComplete="new-password"
            value={confirm}
            onChange={(event) => setConfirm(event.currentTarget.value)}
            required
            error={touched && problems.confirm}
          />
          <Group>
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
