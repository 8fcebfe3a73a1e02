import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { AccessDashboardPage } from "../features/access/AccessDashboardPage";
import { AlertsPage } from "../features/access/AlertsPage";
import { CertificatesPage } from "../features/access/CertificatesPage";
import { FindingsPage } from "../features/access/FindingsPage";
import { MyAccessPage } from "../features/access/MyAccessPage";
import { MyReviewsPage } from "../features/access/MyReviewsPage";
import { OffboardingPage } from "../features/access/OffboardingPage";
import { PlanPage } from "../features/access/PlanPage";
import { PlansPage } from "../features/access/PlansPage";
import { ProfilesPage } from "../features/access/ProfilesPage";
import { ReconcilePage } from "../features/access/ReconcilePage";
import { RequestAccessPage } from "../features/access/RequestAccessPage";
import { RequestPage } from "../features/access/RequestPage";
import { RequestsPage } from "../features/access/RequestsPage";
import { ReviewCampaignPage } from "../features/access/ReviewCampaignPage";
import { ReviewsPage } from "../features/access/ReviewsPage";
import { SodRulesPage } from "../features/access/SodRulesPage";
import { SystemPage } from "../features/access/SystemPage";
import { SystemsPage } from "../features/access/SystemsPage";
import {
  validateFindingsSearch,
  validatePlansSearch,
  validateRequestsSearch,
  validateTasksSearch,
} from "../features/access/search";
import { TasksPage } from "../features/access/TasksPage";
import { AuditPage } from "../features/audit/AuditPage";
import { CompliancePage as AwarenessCompliancePage } from "../features/awareness/CompliancePage";
import { ModulePage as AwarenessModulePage } from "../features/awareness/ModulePage";
import { ModulesPage as AwarenessModulesPage } from "../features/awareness/ModulesPage";
import { MyAwarenessPage } from "../features/awareness/MyAwarenessPage";
import { PoliciesPage as AwarenessPoliciesPage } from "../features/awareness/PoliciesPage";
import { PolicyPage as AwarenessPolicyPage } from "../features/awareness/PolicyPage";
import { PolicyReaderPage } from "../features/awareness/PolicyReaderPage";
import { CampaignPage as PhishingCampaignPage } from "../features/awareness/phishing/CampaignPage";
import { CampaignsPage as PhishingCampaignsPage } from "../features/awareness/phishing/CampaignsPage";
import { ResultsPage as PhishingResultsPage } from "../features/awareness/phishing/ResultsPage";
import { TemplatePage as PhishingTemplatePage } from "../features/awareness/phishing/TemplatePage";
import { TemplatesPage as PhishingTemplatesPage } from "../features/awareness/phishing/TemplatesPage";
import { RulesPage as AwarenessRulesPage } from "../features/awareness/RulesPage";
import { RewardsAdminPage } from "../features/awareness/rewards/RewardsAdminPage";
import { RewardsPage } from "../features/awareness/rewards/RewardsPage";
import { TeamPage as AwarenessTeamPage } from "../features/awareness/TeamPage";
import { TrainingPage } from "../features/awareness/TrainingPage";
import { HomePage } from "../features/home/HomePage";
import { DashboardPage as IncidentDashboardPage } from "../features/incidents/DashboardPage";
import { HrCasePage } from "../features/incidents/HrCasePage";
import { HrCasesPage } from "../features/incidents/HrCasesPage";
import { IncidentPage } from "../features/incidents/IncidentPage";
import { IncidentsPage } from "../features/incidents/IncidentsPage";
import { JurisdictionsPage } from "../features/incidents/JurisdictionsPage";
import { PlaybooksPage } from "../features/incidents/PlaybooksPage";
import { InboxPage } from "../features/notifications/InboxPage";
import { NotificationSettingsPage } from "../features/notifications/NotificationSettingsPage";
import { DepartmentsPage } from "../features/org/DepartmentsPage";
import { JobRolesPage } from "../features/org/JobRolesPage";
import { LocationsPage } from "../features/org/LocationsPage";
import { ImportPage } from "../features/people/import/ImportPage";
import { PeoplePage } from "../features/people/PeoplePage";
import { PersonPage } from "../features/people/PersonPage";
import { validateDirectorySearch } from "../features/people/search";
import { ProfilePage } from "../features/profile/ProfilePage";
import { AskPage } from "../features/reports/AskPage";
import { FollowUpPage } from "../features/reports/FollowUpPage";
import { MyReportPage, MyReportsPage } from "../features/reports/MyReportsPage";
import { PublicReportPage, ReportPage } from "../features/reports/ReportPage";
import { validateTriageSearch } from "../features/reports/search";
import { TriagePage } from "../features/reports/TriagePage";
import { TriageReportPage } from "../features/reports/TriageReportPage";
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

const accessDashboardRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/dashboard",
  component: guarded("access:read", AccessDashboardPage),
});

const accessReconcileRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/reconcile",
  component: guarded("access:read", ReconcilePage),
});

const accessFindingsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/findings",
  validateSearch: validateFindingsSearch,
  component: guarded("access:read", FindingsPage),
});

// Requests, reviews and my access are for every signed-in employee; the server decides what each sees.
const accessRequestRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/request",
  component: RequestAccessPage,
});

const accessRequestsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/requests",
  validateSearch: validateRequestsSearch,
  component: RequestsPage,
});

const accessRequestDetailRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/requests/$id",
  component: RequestPage,
});

const accessSodRulesRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/sod-rules",
  component: guarded("access:read", SodRulesPage),
});

const accessReviewsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/reviews",
  component: ReviewsPage,
});

const accessReviewRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/reviews/$id",
  component: ReviewCampaignPage,
});

const accessMyReviewsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/my-reviews",
  component: MyReviewsPage,
});

const accessCertificatesRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/access/certificates",
  component: guarded("access:read", CertificatesPage),
});

const myAccessRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/my-access",
  component: MyAccessPage,
});

// Reporting: /report and /report/follow-up work without an account (anonymous reporters).
const publicReportRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/report",
  component: PublicReportPage,
});

const followUpRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/report/follow-up",
  component: FollowUpPage,
});

const newReportRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/reports/new",
  component: ReportPage,
});

const myReportsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/reports/mine",
  component: MyReportsPage,
});

const myReportRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/reports/mine/$id",
  component: MyReportPage,
});

const triageRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/reports/triage",
  validateSearch: validateTriageSearch,
  component: guarded("reports:triage_read", TriagePage),
});

const triageReportRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/reports/triage/$id",
  component: guarded("reports:triage_read", TriageReportPage),
});

const askRoute = createRoute({ getParentRoute: () => authedRoute, path: "/ask", component: AskPage });

// Incident response. HR cases are open to every signed-in user at the door: the server shows
// each case to HR and its members only.
const incidentsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/incidents",
  validateSearch: (search: Record<string, unknown>): { fromReport?: string } => ({
    fromReport: optionalString(search.fromReport),
  }),
  component: guarded("incidents:read", IncidentsPage),
});

const incidentDashboardRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/incidents/dashboard",
  component: guarded("incidents:read", IncidentDashboardPage),
});

const playbooksRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/incidents/playbooks",
  component: guarded("incidents:read", PlaybooksPage),
});

const jurisdictionsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/incidents/jurisdictions",
  component: guarded("incidents:read", JurisdictionsPage),
});

const incidentRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/incidents/$id",
  component: guarded("incidents:read", IncidentPage),
});

const hrCasesRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/hr-cases",
  component: HrCasesPage,
});

const hrCaseRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/hr-cases/$id",
  component: HrCasePage,
});

// Awareness: every employee's own list, the reader and the player; authoring and compliance.
const myAwarenessRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness",
  component: MyAwarenessPage,
});
const policyReaderRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/policies/$id",
  component: PolicyReaderPage,
});
const trainingRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/training/$id",
  component: TrainingPage,
});
const awarenessTeamRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/team",
  component: guarded("awareness:team", AwarenessTeamPage),
});
const awarenessPoliciesRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/admin/policies",
  component: guarded("awareness:read", AwarenessPoliciesPage),
});
const awarenessPolicyRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/admin/policies/$id",
  component: guarded("awareness:read", AwarenessPolicyPage),
});
const awarenessModulesRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/admin/modules",
  component: guarded("awareness:read", AwarenessModulesPage),
});
const awarenessModuleRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/admin/modules/$id",
  component: guarded("awareness:read", AwarenessModulePage),
});
const awarenessRulesRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/admin/rules",
  component: guarded("awareness:read", AwarenessRulesPage),
});
const awarenessComplianceRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/compliance",
  component: guarded("awareness:compliance", AwarenessCompliancePage),
});
// Rewards: everyone's points and the leaderboards; objectives and the export for HR and Security.
const rewardsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/rewards",
  component: RewardsPage,
});
const rewardsAdminRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/rewards/objectives",
  component: guarded("rewards:manage", RewardsAdminPage),
});
// Phishing simulation: campaigns, templates and results for Security, HR and auditors.
const phishingCampaignsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/phishing/campaigns",
  component: guarded("phishing:results", PhishingCampaignsPage),
});
const phishingCampaignRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/phishing/campaigns/$id",
  component: guarded("phishing:results", PhishingCampaignPage),
});
const phishingTemplatesRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/phishing/templates",
  component: guarded("phishing:results", PhishingTemplatesPage),
});
const phishingTemplateRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/phishing/templates/$id",
  component: guarded("phishing:results", PhishingTemplatePage),
});
const phishingResultsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/awareness/phishing/results",
  component: guarded("phishing:results", PhishingResultsPage),
});

const notificationsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/notifications",
  component: InboxPage,
});

const notificationSettingsRoute = createRoute({
  getParentRoute: () => authedRoute,
  path: "/admin/notifications",
  component: guarded("settings:manage", NotificationSettingsPage),
});

const routeTree = rootRoute.addChildren([
  signinRoute,
  setupRoute,
  publicReportRoute,
  followUpRoute,
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
    accessDashboardRoute,
    accessReconcileRoute,
    accessFindingsRoute,
    accessRequestRoute,
    accessRequestsRoute,
    accessRequestDetailRoute,
    accessSodRulesRoute,
    accessReviewsRoute,
    accessReviewRoute,
    accessMyReviewsRoute,
    accessCertificatesRoute,
    myAccessRoute,
    newReportRoute,
    myReportsRoute,
    myReportRoute,
    triageRoute,
    triageReportRoute,
    askRoute,
    incidentsRoute,
    incidentDashboardRoute,
    playbooksRoute,
    jurisdictionsRoute,
    incidentRoute,
    hrCasesRoute,
    hrCaseRoute,
    myAwarenessRoute,
    policyReaderRoute,
    trainingRoute,
    awarenessTeamRoute,
    awarenessPoliciesRoute,
    awarenessPolicyRoute,
    awarenessModulesRoute,
    awarenessModuleRoute,
    awarenessRulesRoute,
    awarenessComplianceRoute,
    rewardsRoute,
    rewardsAdminRoute,
    phishingCampaignsRoute,
    phishingCampaignRoute,
    phishingTemplatesRoute,
    phishingTemplateRoute,
    phishingResultsRoute,
    notificationsRoute,
    notificationSettingsRoute,
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
