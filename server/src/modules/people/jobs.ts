import type { PeopleContext } from "./context.js";
import type { checksStore } from "./prehire.js";
import { APPLY_CHUNK, APPLY_EVENT_JOB } from "./service.js";

const SYSTEM = { actorLabel: "scheduler" };

/**
 * Effective dating is driven by the job scheduler: each future event has a job that starts
 * at its moment, and a sweep every minute applies anything due that a job did not (for
 * example an event scheduled while no worker ran). Applying is idempotent.
 */
export function peopleJobs({ jobs, db, people }: PeopleContext, checks: ReturnType<typeof checksStore>) {
  jobs.define<{ eventId: string }>({
    name: APPLY_EVENT_JOB,
    retryLimit: 10,
    handler: async ({ eventId }) => {
      await db.tx((q) => people.apply(q, SYSTEM, eventId));
    },
    // Events falling due together (a day's terminations) are applied and published together.
    batchSize: APPLY_CHUNK,
    handleMany: async (items) => {
      await db.tx((q) =>
        people.applyMany(
          q,
          SYSTEM,
          items.map((x) => x.eventId),
        ),
      );
    },
  });
  jobs.define({
    name: "people.apply_due",
    retryLimit: 2,
    handler: async () => void (await people.applyDue(SYSTEM)),
  });
  jobs.schedule("people.apply_due", "* * * * *");
  // Background checks past their retention date are deleted every night (POPIA minimality).
  jobs.define({
    name: "people.purge_checks",
    retryLimit: 3,
    handler: async () => void (await checks.purgeExpired(db, { actorLabel: "retention" })),
  });
  jobs.schedule("people.purge_checks", "17 3 * * *");
}
