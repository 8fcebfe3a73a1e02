import type { PhishingDeps } from "./context.js";
import { campaignRoutes } from "./routes-campaigns.js";
import { templateRoutes } from "./routes-templates.js";
import { PhishingSender, SEND_JOB, senderSettings } from "./sender.js";
import { subscribePhishingSync } from "./sync.js";

/** Templates, campaigns, recipients and the sender job (runs when due, and every minute as a sweep). */
export function registerPhishingSending(deps: PhishingDeps) {
  const { app, db, events, jobs, config } = deps;
  const settings = senderSettings(config);
  const sender = new PhishingSender(db, events, jobs, settings);
  templateRoutes({ app, db, events }, { company: settings.company, baseUrl: settings.baseUrl });
  campaignRoutes({ app, db, events }, jobs);
  subscribePhishingSync(events, db, jobs);
  jobs.define({
    name: SEND_JOB,
    retryLimit: 5,
    retryDelay: 5,
    batchSize: 1,
    expireInSeconds: 600,
    handler: async () => {
      const r = await sender.run();
      await sender.scheduleNext(db, r.sent + r.failed + r.retrying === 0);
    },
  });
  jobs.schedule(SEND_JOB, "* * * * *");
  app.addHook("onClose", async () => sender.close());
  return { sender };
}
