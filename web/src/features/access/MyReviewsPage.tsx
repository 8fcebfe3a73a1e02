import { EmptyState, Loader } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { myReviewsQuery } from "./governanceQueries";
import { ReviewItemsTable } from "./ReviewItemsTable";

/** The reviewer's page: every open item waiting for the signed-in user, across campaigns, soonest due first. */
export function MyReviewsPage() {
  const items = useQuery(myReviewsQuery);

  return (
    <>
      <PageHeader
        title="My reviews"
        description="Access others hold that you are asked to vouch for. Keep what they need; revoke what they do not — Tandem removes it at once."
      />
      {items.isPending ? <Loader aria-label="Loading your review items" /> : null}
      <ErrorAlert error={items.error} title="Could not load your review items" />
      {items.isSuccess && items.data.length === 0 ? (
        <EmptyState
          my="xl"
          title="Nothing to review"
          description="When an access review starts, the grants you are asked to vouch for (your reports' access, or your systems') appear here."
        />
      ) : null}
      {items.data?.length ? (
        <ReviewItemsTable
          items={items.data}
          showCampaign
          // The server lists only the caller's own items here.
          canDecide={() => true}
        />
      ) : null}
    </>
  );
}
