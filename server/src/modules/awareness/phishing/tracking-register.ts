import type { PhishingDeps } from "./context.js";

/** Tracking links, landing pages, the teachable moment, reports, overrides, results (being built). */
export function registerPhishingTracking(_deps: PhishingDeps) {
  return {};
}
