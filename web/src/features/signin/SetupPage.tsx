import { Alert, Button, PasswordInput, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { AnchorLink } from "../../components/links";
import { PublicLayout } from "../../components/PublicLayout";
import { MIN_PASSWORD_LENGTH, passwordProblems } from "./passwordRules";
import { useFinishSignIn } from "./useFinishSignIn";

const routeApi = getRouteApi("/setup");

/** Landing page of the one-time setup / reset link: choose a password, then you are signed in. */
export function SetupPage() {
  const { token } = routeApi.useSearch();
  const finish = useFinishSignIn();
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [touched, setTouched] = useState(false);

  const setup = useMutation({
    mutationFn: async (body: { token: string; password: string }) => {
      await api.POST("/api/v1/auth/setup", { body });
    },
    onSuccess: () => finish("/"),
  });

  if (!token) {
    return (
      <PublicLayout title="Set your password">
        <Alert color="red" variant="light" title="Link incomplete" role="alert">
          This page needs the full one-time link you were given. Copy the whole link into the address bar, or
          ask an administrator for a new one.
        </Alert>
        <Text>
          Already have a password? <AnchorLink to="/signin">Sign in</AnchorLink>
        </Text>
      </PublicLayout>
    );
  }

  const problems = passwordProblems(password, confirm);

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (token && !problems.password && !problems.confirm) setup.mutate({ token, password });
  }

  return (
    <PublicLayout
      title="Set your password"
      description={`Choose a password of at least ${MIN_PASSWORD_LENGTH} characters. You will be signed in afterwards.`}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ErrorAlert error={setup.error} title="Could not set the password" shownFields={["password"]} />
          <PasswordInput
            label="New password"
            description={`At least ${MIN_PASSWORD_LENGTH} characters`}
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            required
            autoFocus
            error={(touched && problems.password) || fieldError(setup.error, "password")}
          />
          <PasswordInput
            label="Confirm new password"
            autoComplete="new-password"
            value={confirm}
            onChange={(event) => setConfirm(event.currentTarget.value)}
            required
            error={touched && problems.confirm}
          />
          <Button type="submit" loading={setup.isPending} fullWidth>
            Set password and sign in
          </Button>
        </Stack>
      </form>
    </PublicLayout>
  );
}
