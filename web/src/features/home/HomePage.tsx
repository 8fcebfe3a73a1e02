import { Card, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { NAV_ENTRIES, visibleNavEntries } from "../../app/nav";
import { useSession } from "../../app/session";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { RoleBadges } from "../../components/RoleBadges";

const DESCRIPTIONS: Record<string, string> = {
  "/profile": "Your password, two-step verification and sessions.",
  "/admin/users": "Invite people, assign roles, reset passwords and MFA.",
  "/tokens": "Personal API tokens for scripts and integrations.",
  "/admin/sso": "Connect your identity provider with OpenID Connect.",
  "/audit": "Every security-relevant action, tamper-evident.",
};

export function HomePage() {
  const { user, permissions } = useSession();
  const links = visibleNavEntries(permissions).filter((entry) => entry.to !== "/");
  const firstName = (user.displayName || user.email).split(/\s+/)[0];
  return (
    <>
      <PageHeader
        title={`Welcome, ${firstName}`}
        description="Tandem is where HR and IT/Security run the people side of security together."
      />
      <Stack gap="xl">
        <section aria-labelledby="home-roles">
          <Title order={2} size="h4" id="home-roles" mb="xs">
            Your roles
          </Title>
          <RoleBadges roles={user.roles} />
        </section>
        <section aria-labelledby="home-links">
          <Title order={2} size="h4" id="home-links" mb="sm">
            Where to go
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            {links.map((entry) => (
              <Card key={entry.to} withBorder padding="md">
                <AnchorLink to={entry.to} fw={600}>
                  {entry.label}
                </AnchorLink>
                <Text size="sm" c="dimmed" mt={4}>
                  {DESCRIPTIONS[entry.to] ?? ""}
                </Text>
              </Card>
            ))}
          </SimpleGrid>
          {links.length < NAV_ENTRIES.length - 1 ? (
            <Text size="sm" c="dimmed" mt="md">
              Some areas are hidden because your roles do not include them.
            </Text>
          ) : null}
        </section>
      </Stack>
    </>
  );
}
