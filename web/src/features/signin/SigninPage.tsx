import { Alert, Button, Divider, PasswordInput, Stack, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { ApiError } from "../../api/errors";
import { rememberCsrfToken, ssoPublicQuery } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { PublicLayout } from "../../components/PublicLayout";
import { MfaStep } from "./MfaStep";
import { useFinishSignIn } from "./useFinishSignIn";

const routeApi = getRouteApi("/signin");

const SSO_START_URL = "/api/v1/auth/sso/start";

function errorTitle(error: unknown): string {
  if (error instanceof ApiError && error.status === 429) return "Temporarily locked";
  if (error instanceof ApiError && error.status === 401) return "Sign-in failed";
  return "Could not sign in";
}

export function SigninPage() {
  const search = routeApi.useSearch();
  const queryClient = useQueryClient();
  const finish = useFinishSignIn();
  const sso = useQuery(ssoPublicQuery);
  const [step, setStep] = useState<"password" | "mfa">("password");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const login = useMutation({
    mutationFn: async (body: { email: string; password: string }) =>
      expectData(await api.POST("/api/v1/auth/login", { body })),
    onSuccess: async (answer) => {
      rememberCsrfToken(queryClient, answer);
      setPassword("");
      if (answer.status === "mfa_required") {
        setStep("mfa");
        return;
      }
      await finish(search.redirect);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    login.mutate({ email: email.trim(), password });
  }

  if (step === "mfa") {
    return (
      <PublicLayout title="Two-step verification">
        <MfaStep
          onSignedIn={() => finish(search.redirect)}
          onBack={() => {
            login.reset();
            setStep("password");
          }}
        />
      </PublicLayout>
    );
  }

  const ssoEnabled = sso.data?.enabled === true;
  return (
    <PublicLayout title="Sign in">
      {search.sso_error ? (
        <Alert color="red" variant="light" title="Single sign-on failed" role="alert">
          {search.sso_error}
        </Alert>
      ) : null}
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ErrorAlert
            error={login.error}
            title={errorTitle(login.error)}
            shownFields={["email", "password"]}
          />
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(event) => setEmail(event.currentTarget.value)}
            required
            autoFocus
            error={fieldError(login.error, "email")}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            required
            error={fieldError(login.error, "password")}
          />
          <Button type="submit" loading={login.isPending} disabled={!email.trim() || !password} fullWidth>
            Sign in
          </Button>
        </Stack>
      </form>
      {ssoEnabled ? (
        <>
          <Divider label="or" labelPosition="center" />
          <Button component="a" href={SSO_START_URL} variant="default" fullWidth>
            {sso.data?.label ? `Sign in with ${sso.data.label}` : "Sign in with SSO"}
          </Button>
        </>
      ) : null}
    </PublicLayout>
  );
}
