import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { AlertsPage } from "../features/access/AlertsPage";
import { OffboardingPage } from "../features/access/OffboardingPage";
import { PlanPage } from "../features/access/PlanPage";
import { PlansPage } from "../features/access/PlansPage";
import { ProfilesPage } from "../features/access/ProfilesPage";
import { SystemPage } from "../features/access/SystemPage";
import { SystemsPage } from "../features/access/SystemsPage";
import { validatePlansSearch, validateTasksSearch } from "../features/access/search";
import { TasksPage } from "../features/access/TasksPage";
import { AuditPage } from "../features/audit/AuditPage";
import { HomePage } from "../features/home/HomePage";
import { DepartmentsPage } from "../features/org/DepartmentsPage";
import { JobRolesPage } from "../features/org/JobRolesPage";
import { LocationsPage } from "../features/org/LocationsPage";
import { ImportPage } from "../features/people/import/ImportPage";
import { PeoplePage } from "../features/people/PeoplePage";
import { PersonPage } from "../features/people/PersonPage";
import { validateDirectorySearch } from "../features/people/search";
import { ProfilePage } from "../features/profile/ProfilePage";
import { SetupPage } from "../features/signin/SetupPage";
import { SigninPage } from "../features/signin/SigninPage";
import { SsoSettingsPage } from "../features/sso/SsoSettingsPage";
import { TokensPage } from "../features/tokens/TokensPage";
import { UsersPage } from "../features/users/UsersPage";
import { AppLayout } from "./AppLayout";
import { RequirePermission } from "./RequirePermission";
import { safeRedirect } from "./redirect";
import { ErrorPage, InlineErrorPage, NotFoundPage } from "./StatusPages";
import { sessionQuery } from "./session";

export interface RouterContext {
  queryClient: QueryClient;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
  errorComponent: ErrorPage,
});

const signinRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/signin",
  // sso_error: set by the server when an SSO sign-in fails at the callback.
  validateSearch: (search: Record<string, unknown>): { redirect?: string; sso_error?: string } => ({
    redirect: optionalString(search.redirect),
    sso_error: optionalString(search.sso_error),
  }),
  beforeLoad: async ({ context, search }) => {
    const session = await context.queryClient.ensureQueryData(sessionQuery).catch(() => null);
    if (session) throw redirect({ href: safeRedirect(search.redirect) });
  },
  component: SigninPage,
});

const setupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/setup",
  validateSearch: (search: Record<string, unknown>): { token?: string } => ({
    token: optionalString(search.token),
  }),
  component: SetupPage,
});

const authedRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "authed",
  beforeLoad: async ({ context, location }) => {
    const session = await context.queryClient.ensureQueryData(sessionQuery);
    if (!session) throw redirect({ to: "/signin", search: { redirect: location.href } });
  },
  component: AppLayout,
  errorComponent: ErrorPage,
  notFoundComponent: NotFoundPage,
});

const homeRoute = createRoute({ getParentRoute: () => authedRoute, path: "/", component: HomePage });

const profileRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/profile",
  component: ProfilePage,
});

function guarded(permission: string, Page: () => React.ReactNode) {
  return function GuardedPage() {
    return (
      <RequirePermission permission={permission}>
        <Page />
      </RequirePermission>
    );
  };
}

const usersRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/admin/users",
  component: guarded("users:read", UsersPage),
});

const tokensRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/tokens",
  component: guarded("tokens:manage", TokensPage),
});

const ssoRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/admin/sso",
  component: guarded("settings:manage", SsoSettingsPage),
});

const auditRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/audit",
  component: guarded("audit:read", AuditPage),
});

const peopleRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/people",
  validateSearch: validateDirectorySearch,
  component: guarded("people:read", PeoplePage),
});

const peopleImportRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/people/import",
  component: guarded("people:import", ImportPage),
});

const personRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/people/$id",
  validateSearch: (search: Record<string, unknown>): { tab?: string } => ({
    tab: optionalString(search.tab),
  }),
  component: guarded("people:read", PersonPage),
});

const departmentsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/org/departments",
  component: guarded("people:read", DepartmentsPage),
});

const jobRolesRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/org/job-roles",
  component: guarded("people:read", JobRolesPage),
});

const locationsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/org/locations",
  component: guarded("people:read", LocationsPage),
});

const accessSystemsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/systems",
  component: guarded("access:read", SystemsPage),
});

const accessSystemRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/systems/$id",
  validateSearch: (search: Record<string, unknown>): { tab?: string } => ({
    tab: optionalString(search.tab),
  }),
  component: guarded("access:read", SystemPage),
});

const accessProfilesRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/profiles",
  component: guarded("access:read", ProfilesPage),
});

const accessPlansRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/plans",
  validateSearch: validatePlansSearch,
  component: guarded("access:read", PlansPage),
});

const accessPlanRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/plans/$id",
  component: guarded("access:read", PlanPage),
});

const offboardingRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/people/$personId/offboarding",
  component: guarded("access:read", OffboardingPage),
});

const accessTasksRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/tasks",
  validateSearch: validateTasksSearch,
  component: guarded("access:read", TasksPage),
});

const accessAlertsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/alerts",
  component: guarded("access:alerts", AlertsPage),
});

const routeTree = rootRoute.addChildren([
  signinRoute,
  setupRoute,
  authedRoute.addChildren([
    homeRoute,
    profileRoute,
    usersRoute,
    tokensRoute,
    ssoRoute,
    auditRoute,
    peopleRoute,
    peopleImportRoute,
    personRoute,
    departmentsRoute,
    jobRolesRoute,
    locationsRoute,
    accessSystemsRoute,
    accessSystemRoute,
    accessProfilesRoute,
    accessPlansRoute,
    accessPlanRoute,
    offboardingRoute,
    accessTasksRoute,
    accessAlertsRoute,
  ]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: "intent",
    defaultPreloadStaleTime: 0,
    defaultErrorComponent: InlineErrorPage,
    scrollRestoration: true,
  });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
