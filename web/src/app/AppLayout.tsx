import { AppShell, Burger, Center, Group, Loader, ScrollArea, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Outlet, useLocation, useRouter } from "@tanstack/react-router";
import { useEffect } from "react";
import { NavLinkLink } from "../components/links";
import { NotificationBell } from "../features/notifications/NotificationBell";
import { navSections, visibleNavEntries } from "./nav";
import { SessionContext, takeSignedOutFlag, useSessionQuery } from "./session";
import { UserMenu } from "./UserMenu";

function matches(pathname: string, to: string): boolean {
  return to === "/" ? pathname === "/" : pathname === to || pathname.startsWith(`${to}/`);
}

/** The one menu entry for a page: the longest that matches (/awareness/phishing/… is not /awareness). */
function activeEntry(pathname: string, tos: string[]): string | undefined {
  return tos.filter((to) => matches(pathname, to)).sort((a, b) => b.length - a.length)[0];
}

/** The signed-in shell: header, permission-aware navbar and the page in <main>. */
export function AppLayout() {
  const { data: session } = useSessionQuery();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const router = useRouter();

  // The session ended (sign-out, expiry, revocation elsewhere): go to sign-in, once.
  useEffect(() => {
    if (session !== null) return;
    const here = router.state.location;
    if (here.pathname === "/signin") return;
    const search = takeSignedOutFlag() ? {} : { redirect: here.href };
    void router.navigate({ to: "/signin", search, replace: true });
  }, [session, router]);

  // Close the mobile navbar after navigating.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every path change by design
  useEffect(() => close(), [location.pathname]);

  if (!session) {
    return (
      <Center component="main" h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }

  const entries = visibleNavEntries(session.permissions);
  const active = activeEntry(
    location.pathname,
    entries.map((e) => e.to),
  );
  return (
    <SessionContext.Provider value={session}>
      <AppShell
        header={{ height: 60 }}
        navbar={{ width: 240, breakpoint: "sm", collapsed: { mobile: !opened } }}
        padding="lg"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger
                opened={opened}
                onClick={toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label={opened ? "Close navigation" : "Open navigation"}
              />
              <Text component="span" fw={700} size="xl" c="blue.9">
                Tandem
              </Text>
            </Group>
            <Group gap="xs" wrap="nowrap">
              <NotificationBell />
              <UserMenu />
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="sm" aria-label="Main navigation">
          <ScrollArea type="auto">
            {navSections(entries).map(({ section, entries: inSection }) => (
              <div key={section}>
                <Text size="xs" fw={700} c="gray.7" tt="uppercase" px="sm" pt="sm" pb={4}>
                  {section}
                </Text>
                {inSection.map((entry) => (
                  <NavLinkLink
                    key={entry.to}
                    to={entry.to}
                    label={entry.label}
                    active={entry.to === active}
                    activeOptions={{ exact: entry.to === "/" || entry.to !== active }}
                  />
                ))}
              </div>
            ))}
          </ScrollArea>
        </AppShell.Navbar>
        <AppShell.Main>
          <Outlet />
        </AppShell.Main>
      </AppShell>
    </SessionContext.Provider>
  );
}
