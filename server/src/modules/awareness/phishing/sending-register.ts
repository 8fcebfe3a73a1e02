import type { PhishingDeps } from "./context.js";

/** Templates, campaigns, recipients and the sender (being built). */
export function registerPhishingSending(_deps: PhishingDeps) {
  return {};
}
