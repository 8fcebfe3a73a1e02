/**
 * Phishing simulation: templates with landing pages, campaigns sent over SMTP with a token
 * per recipient, tracking that tells people from mail scanners, reports of the simulated
 * mail through the Reporting module, the teachable moment and follow-up training, results.
 */
import type { PhishingDeps } from "./context.js";
import "./policy.js";
import { registerPhishingSending } from "./sending-register.js";
import { registerPhishingTracking } from "./tracking-register.js";

export { PHISHING_EVENTS, type PhishingDeps, SIMULATION_HEADER } from "./context.js";

export function registerPhishing(deps: PhishingDeps) {
  const sending = registerPhishingSending(deps);
  const tracking = registerPhishingTracking(deps);
  return { ...sending, ...tracking };
}
