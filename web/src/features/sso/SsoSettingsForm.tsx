import {
  Alert,
  Button,
  Code,
  CopyButton,
  Fieldset,
  Group,
  MultiSelect,
  PasswordInput,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import type { Role, SsoSettings, SsoSettingsBody } from "../../api/types";
import { ssoPublicKey } from "../../app/session";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { ROLE_OPTIONS, toRoles } from "../../components/RoleBadges";
import { ssoSettingsQuery } from "./queries";

const FIELDS = ["enabled", "label", "issuer", "clientId", "clientSecret", "defaultRoles", "allowedDomains"];

export function SsoSettingsForm({ settings }: { settings: SsoSettings }) {
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(settings.enabled);
  const [label, setLabel] = useState(settings.label);
  const [issuer, setIssuer] = useState(settings.issuer);
  const [clientId, setClientId] = useState(settings.clientId);
  const [clientSecret, setClientSecret] = useState("");
  const [defaultRoles, setDefaultRoles] = useState<Role[]>(toRoles(settings.defaultRoles));
  const [allowedDomains, setAllowedDomains] = useState<string[]>(settings.allowedDomains);

  const save = useMutation({
    mutationFn: async (body: SsoSettingsBody) => expectData(await api.PUT("/api/v1/settings/sso", { body })),
    onSuccess: (saved) => {
      queryClient.setQueryData(ssoSettingsQuery.queryKey, saved);
      void queryClient.invalidateQueries({ queryKey: ssoPublicKey });
      setClientSecret("");
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const body: SsoSettingsBody = {
      enabled,
      label: label.trim(),
      issuer: issuer.trim(),
      clientId: clientId.trim(),
      defaultRoles,
      allowedDomains: allowedDomains.map((d) => d.trim().toLowerCase()).filter(Boolean),
    };
    if (clientSecret) body.clientSecret = clientSecret;
    save.mutate(body);
  }

  const readOnly = settings.source === "environment";
  const secretSet = save.data?.clientSecretSet ?? settings.clientSecretSet;
  const redirectUri = save.data?.redirectUri ?? settings.redirectUri;

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md" maw={760}>
        <Stack gap={4}>
          <Text fw={600} component="p" m={0}>
            Redirect URI to register at the identity provider
          </Text>
          <Group gap="sm" wrap="nowrap">
            <Code style={{ wordBreak: "break-all" }}>{redirectUri}</Code>
            <CopyButton value={redirectUri} timeout={2000}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy}>
                  {copied ? "Copied" : "Copy redirect URI"}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Stack>
        {save.isSuccess ? (
          <Alert color="teal" variant="light" title="Saved" role="status">
            SSO settings were saved.
          </Alert>
        ) : null}
        <ErrorAlert error={save.error} title="Could not save SSO settings" shownFields={FIELDS} />
        <Fieldset legend="Identity provider" disabled={readOnly} variant="unstyled">
          <Stack gap="md">
            <Switch
              label="Enable single sign-on"
              description="Shows the “Sign in with …” button on the sign-in page."
              checked={enabled}
              onChange={(event) => setEnabled(event.currentTarget.checked)}
              error={fieldError(save.error, "enabled")}
            />
            <TextInput
              label="Button label"
              description="Shown as “Sign in with <label>”, e.g. Okta or Entra ID."
              value={label}
              onChange={(event) => setLabel(event.currentTarget.value)}
              error={fieldError(save.error, "label")}
            />
            <TextInput
              label="Issuer URL"
              type="url"
              placeholder="https://login.example.com/"
              value={issuer}
              onChange={(event) => setIssuer(event.currentTarget.value)}
              error={fieldError(save.error, "issuer")}
            />
            <TextInput
              label="Client ID"
              value={clientId}
              onChange={(event) => setClientId(event.currentTarget.value)}
              error={fieldError(save.error, "clientId")}
            />
            <PasswordInput
              label="Client secret"
              description={
                secretSet ? "A secret is stored. It is never shown; type a new one to replace it." : undefined
              }
              placeholder={secretSet ? "set — leave blank to keep" : "not set"}
              autoComplete="new-password"
              value={clientSecret}
              onChange={(event) => setClientSecret(event.currentTarget.value)}
              error={fieldError(save.error, "clientSecret")}
            />
            <MultiSelect
              label="Default roles for new SSO users"
              description="Given to people the first time they sign in with SSO."
              data={ROLE_OPTIONS}
              value={defaultRoles}
              onChange={(values) => setDefaultRoles(toRoles(values))}
              error={fieldError(save.error, "defaultRoles")}
            />
            <TagsInput
              label="Allowed email domains"
              description="Only these domains may sign in with SSO. Press Enter after each domain."
              placeholder="example.com"
              value={allowedDomains}
              onChange={setAllowedDomains}
              error={fieldError(save.error, "allowedDomains")}
            />
          </Stack>
        </Fieldset>
        <Group>
          <Button type="submit" loading={save.isPending} disabled={readOnly}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
