import { Button, Loader, Tabs } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { AnchorLink, ButtonLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { locationsQuery } from "../org/queries";
import { AgreementsTab } from "./AgreementsTab";
import { ChecklistTab } from "./ChecklistTab";
import { ChecksTab } from "./ChecksTab";
import { EditPersonModal } from "./EditPersonModal";
import { HistoryTab } from "./HistoryTab";
import { PersonDetails } from "./PersonDetails";
import { personQuery } from "./queries";
import { RecordEventModal } from "./RecordEventModal";
import { Timeline } from "./Timeline";

const routeApi = getRouteApi("/authed/people/$id");

const TABS = ["timeline", "agreements", "checklist", "checks", "history"] as const;
type Tab = (typeof TABS)[number];

function isTab(value: unknown): value is Tab {
  return typeof value === "string" && (TABS as readonly string[]).includes(value);
}

export function PersonPage() {
  const { id } = routeApi.useParams();
  const { tab } = routeApi.useSearch();
  const navigate = routeApi.useNavigate();
  const canWrite = useCan("people:write");
  const canEvents = useCan("people:events");
  const canAccess = useCan("access:read");
  const [editing, setEditing] = useState(false);
  const [recording, setRecording] = useState(false);
  const current = useQuery(personQuery(id));
  const locations = useQuery(locationsQuery);

  if (current.isPending) return <Loader aria-label="Loading the person" />;
  if (!current.data) {
    return (
      <>
        <PageHeader title="Person" />
        <ErrorAlert error={current.error} title="Could not load this person" />
        <AnchorLink to="/people">Back to People</AnchorLink>
      </>
    );
  }
  const { person } = current.data;
  const timeZone = locations.data?.find((l) => l.id === person.locationId)?.timeZone ?? null;
  const personZone = timeZone ?? "UTC";
  const active: Tab = isTab(tab) ? tab : "timeline";

  return (
    <>
      <AnchorLink to="/people" size="sm">
        ← People
      </AnchorLink>
      <PageHeader
        title={person.displayName}
        description={[person.jobRoleTitle, person.departmentName].filter(Boolean).join(" · ") || undefined}
        actions={
          <>
            {canAccess ? (
              <ButtonLink
                variant="default"
                to="/access/people/$personId/offboarding"
                params={{ personId: person.id }}
              >
                Access & offboarding
              </ButtonLink>
            ) : null}
            {canWrite ? (
              <Button variant="default" onClick={() => setEditing(true)}>
                Edit
              </Button>
            ) : null}
            {canEvents ? <Button onClick={() => setRecording(true)}>Record event</Button> : null}
          </>
        }
      />
      <PersonDetails person={person} timeZone={timeZone} />
      <Tabs
        value={active}
        onChange={(next) =>
          void navigate({
            to: "/people/$id",
            params: { id },
            search: { tab: next === "timeline" ? undefined : (next ?? undefined) },
            replace: true,
          })
        }
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="timeline">Lifecycle timeline</Tabs.Tab>
          <Tabs.Tab value="agreements">Agreements</Tabs.Tab>
          <Tabs.Tab value="checklist">Checklist</Tabs.Tab>
          <Tabs.Tab value="checks">Background checks</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="timeline">
          <Timeline personId={person.id} personZone={personZone} />
        </Tabs.Panel>
        <Tabs.Panel value="agreements">
          <AgreementsTab personId={person.id} />
        </Tabs.Panel>
        <Tabs.Panel value="checklist">
          <ChecklistTab personId={person.id} />
        </Tabs.Panel>
        <Tabs.Panel value="checks">
          <ChecksTab personId={person.id} />
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <HistoryTab personId={person.id} />
        </Tabs.Panel>
      </Tabs>
      {editing ? (
        <EditPersonModal key={person.id} current={current.data} opened onClose={() => setEditing(false)} />
      ) : null}
      <RecordEventModal
        person={person}
        personZone={personZone}
        opened={recording}
        onClose={() => setRecording(false)}
      />
    </>
  );
}
