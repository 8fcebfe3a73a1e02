import type { PhishingDeps } from "./context.js";
import { scannerRanges } from "./filters.js";
import { subscribeReported } from "./reported.js";
import { resultsRoutes } from "./routes-results.js";
import { trackingRoutes } from "./routes-tracking.js";

/** Tracking links, landing pages, the teachable moment, reports, overrides, results. */
export function registerPhishingTracking(deps: PhishingDeps) {
  const { app, db, events, config } = deps;
  const filters = {
    ranges: scannerRanges(config.TANDEM_PHISHING_SCANNER_RANGES),
    minSeconds: config.TANDEM_PHISHING_MIN_SECONDS,
  };
  trackingRoutes({ app, db, events, config, filters });
  resultsRoutes({ app, db, events });
  subscribeReported(db, events);
  return {};
}
