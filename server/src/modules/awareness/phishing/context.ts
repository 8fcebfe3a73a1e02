import type { AwarenessDeps } from "../context.js";

/** What the phishing part is built from: the awareness module's dependencies. */
export type PhishingDeps = AwarenessDeps;

/** Domain events the phishing part publishes (other modules subscribe by name). */
export const PHISHING_EVENTS = {
  /** { campaignId } */
  campaignFinished: "awareness.phishing_campaign_finished",
  /** { personId, campaignId, recipientId }: a click counted as the person's own. */
  clicked: "awareness.phish_clicked",
  /** { personId, campaignId, recipientId, reportId }: the person reported the simulated mail. */
  reported: "awareness.phish_reported",
  /**
   * { reportId, campaignId, recipientId, reason }: a report holds a simulated mail but does not
   * count for its recipient (reported again, by someone else, or after tracking ended).
   */
  reportRecognised: "awareness.phish_report_recognised",
} as const;

/** The mail header that marks a simulated message; its value is the recipient's token. */
export const SIMULATION_HEADER = "X-Tandem-Simulation";
