import { Alert, Loader } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { ssoSettingsQuery } from "./queries";
import { SsoSettingsForm } from "./SsoSettingsForm";

export function SsoSettingsPage() {
  const settings = useQuery(ssoSettingsQuery);
  return (
    <>
      <PageHeader
        title="SSO settings"
        description="Let people sign in with your identity provider over OpenID Connect."
      />
      {settings.isPending ? <Loader aria-label="Loading SSO settings" /> : null}
      <ErrorAlert error={settings.error} title="Could not load SSO settings" />
      {settings.data ? (
        <>
          {settings.data.source === "environment" ? (
            <Alert
              variant="light"
              color="yellow"
              title="Configured by the server environment"
              mb="lg"
              maw={760}
            >
              SSO is set through the TANDEM_OIDC_* environment variables, so it cannot be changed here. Remove
              those variables from the server to manage SSO on this page.
            </Alert>
          ) : (
            <Alert variant="light" color="blue" title="Before you start" mb="lg" maw={760}>
              Register Tandem as a web application at your identity provider with the redirect URI below, then
              copy its issuer URL, client ID and client secret here.
            </Alert>
          )}
          <SsoSettingsForm settings={settings.data} />
        </>
      ) : null}
    </>
  );
}
