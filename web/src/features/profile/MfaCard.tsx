import { Button, Card, Code, Group, Image, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import type { MfaEnrolment } from "../../api/types";
import { sessionKey, useSession } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { OneTimeSecret } from "../../components/OneTimeSecret";

type Phase =
  | { kind: "idle" }
  | { kind: "enrolling"; enrolment: MfaEnrolment }
  | { kind: "codes"; codes: string[] };

function CodeForm(props: {
  label: string;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  danger?: boolean;
  onSubmit: (code: string) => void;
  onCancel?: () => void;
}) {
  const [code, setCode] = useState("");
  const trimmed = code.replace(/\s+/g, "");
  function submit(event: FormEvent) {
    event.preventDefault();
    if (/^\d{6}$/.test(trimmed)) props.onSubmit(trimmed);
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          maw={320}
          label={props.label}
          value={code}
          onChange={(event) => setCode(event.currentTarget.value)}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          required
          error={fieldError(props.error, "code")}
        />
        <Group>
          <Button
            type="submit"
            loading={props.pending}
            disabled={!/^\d{6}$/.test(trimmed)}
            color={props.danger ? "red" : undefined}
          >
            {props.submitLabel}
          </Button>
          {props.onCancel ? (
            <Button variant="default" onClick={props.onCancel}>
              Cancel
            </Button>
          ) : null}
        </Group>
      </Stack>
    </form>
  );
}

/** Set up, confirm and turn off TOTP two-step verification. */
export function MfaCard() {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const refreshSession = () => queryClient.invalidateQueries({ queryKey: sessionKey });

  const enrol = useMutation({
    mutationFn: async () => expectData(await api.POST("/api/v1/me/mfa/enrol")),
    onSuccess: (enrolment) => setPhase({ kind: "enrolling", enrolment }),
  });
  const confirm = useMutation({
    mutationFn: async (code: string) =>
      expectData(await api.POST("/api/v1/me/mfa/confirm", { body: { code } })),
    onSuccess: async ({ recoveryCodes }) => {
      setPhase({ kind: "codes", codes: recoveryCodes });
      await refreshSession();
    },
  });
  const disable = useMutation({
    mutationFn: async (code: string) => {
      await api.POST("/api/v1/me/mfa/disable", { body: { code } });
    },
    onSuccess: refreshSession,
  });

  let body: React.ReactNode;
  if (phase.kind === "codes") {
    body = (
      <Stack gap="md">
        <Text>
          Two-step verification is on. If you lose your authenticator, a recovery code lets you sign in.
        </Text>
        <OneTimeSecret
          label="Recovery codes"
          value={phase.codes.join("\n")}
          warning="Save these recovery codes in a password manager or print them now. They will not be shown again, and each works once."
        />
        <Group>
          <Button variant="default" onClick={() => setPhase({ kind: "idle" })}>
            I have saved my recovery codes
          </Button>
        </Group>
      </Stack>
    );
  } else if (phase.kind === "enrolling") {
    const { enrolment } = phase;
    body = (
      <Stack gap="md">
        <Text>
          1. Scan this QR code with an authenticator app (for example 1Password, Bitwarden or Google
          Authenticator).
        </Text>
        <Image
          src={enrolment.qrDataUrl}
          alt="QR code to add Tandem to your authenticator app"
          w={200}
          h={200}
          fit="contain"
        />
        <Text>Can't scan it? Enter this secret in the app instead:</Text>
        <Code block style={{ wordBreak: "break-all" }}>
          {enrolment.secret}
        </Code>
        <Text>2. Enter the 6-digit code the app shows to finish.</Text>
        <ErrorAlert error={confirm.error} title="Could not confirm" shownFields={["code"]} />
        <CodeForm
          label="Code from your authenticator"
          submitLabel="Turn on two-step verification"
          pending={confirm.isPending}
          error={confirm.error}
          onSubmit={(code) => confirm.mutate(code)}
          onCancel={() => {
            confirm.reset();
            setPhase({ kind: "idle" });
          }}
        />
      </Stack>
    );
  } else if (user.mfaEnabled) {
    body = (
      <Stack gap="md">
        <Text>Two-step verification is on. To turn it off, confirm with a current code from your app.</Text>
        <ErrorAlert
          error={disable.error}
          title="Could not turn off two-step verification"
          shownFields={["code"]}
        />
        <CodeForm
          label="Current code"
          submitLabel="Turn off MFA"
          danger
          pending={disable.isPending}
          error={disable.error}
          onSubmit={(code) => disable.mutate(code)}
        />
      </Stack>
    );
  } else {
    body = (
      <Stack gap="md">
        <Text>
          Two-step verification is off. Add an authenticator app so a stolen password alone cannot open your
          account.
        </Text>
        {disable.isSuccess ? (
          <Text role="status" fw={600}>
            Two-step verification was turned off.
          </Text>
        ) : null}
        <ErrorAlert error={enrol.error} title="Could not start setup" />
        <Group>
          <Button loading={enrol.isPending} onClick={() => enrol.mutate()}>
            Set up authenticator
          </Button>
        </Group>
      </Stack>
    );
  }

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="profile-mfa">
      <Title order={2} size="h3" id="profile-mfa" mb="md">
        Two-step verification (MFA)
      </Title>
      {body}
    </Card>
  );
}
