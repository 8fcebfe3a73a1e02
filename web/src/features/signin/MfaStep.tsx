import { Anchor, Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { rememberCsrfToken } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";

interface MfaStepProps {
  onSignedIn: () => Promise<void>;
  onBack: () => void;
}

/** Second sign-in step: a 6-digit code from the authenticator app, or a recovery code. */
export function MfaStep({ onSignedIn, onBack }: MfaStepProps) {
  const queryClient = useQueryClient();
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState("");
  const verify = useMutation({
    mutationFn: async (value: string) =>
      expectData(await api.POST("/api/v1/auth/login/mfa", { body: { code: value } })),
    onSuccess: async (answer) => {
      rememberCsrfToken(queryClient, answer);
      await onSignedIn();
    },
  });

  const trimmed = code.replace(/\s+/g, "");
  const valid = useRecovery ? trimmed.length >= 6 : /^\d{6}$/.test(trimmed);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (valid) verify.mutate(trimmed);
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text>
          {useRecovery
            ? "Enter one of the recovery codes you saved when you set up your authenticator. Each code works once."
            : "Enter the 6-digit code from your authenticator app."}
        </Text>
        <ErrorAlert error={verify.error} title="Could not verify the code" shownFields={["code"]} />
        <TextInput
          key={useRecovery ? "recovery" : "totp"}
          label={useRecovery ? "Recovery code" : "Authentication code"}
          value={code}
          onChange={(event) => setCode(event.currentTarget.value)}
          autoComplete="one-time-code"
          inputMode={useRecovery ? "text" : "numeric"}
          maxLength={useRecovery ? 64 : 6}
          required
          autoFocus
          error={fieldError(verify.error, "code")}
        />
        <Button type="submit" loading={verify.isPending} disabled={!valid} fullWidth>
          Verify
        </Button>
        <Group justify="space-between">
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              setUseRecovery((value) => !value);
              setCode("");
              verify.reset();
            }}
          >
            {useRecovery ? "Use authenticator code" : "Use a recovery code"}
          </Anchor>
          <Anchor component="button" type="button" size="sm" onClick={onBack}>
            Start over
          </Anchor>
        </Group>
      </Stack>
    </form>
  );
}
