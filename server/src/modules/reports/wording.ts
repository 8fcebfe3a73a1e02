import type { CategoryDetails, ReportStatus } from "./schemas.js";

/**
 * What the reporter reads: thanks, status and self-help in plain, kind words. Nothing here
 * says or implies that the reporter did something wrong; reporting quickly is what helps.
 */

export const THANK_YOU =
  "Thank you for telling us. Reporting quickly is exactly the right thing to do, and Security will look at it soon.";

const STATUS_TEXT: Record<ReportStatus, string> = {
  new: "Received. Security will look at it soon.",
  acknowledged: "Security has seen your report.",
  in_review: "Security is looking into it.",
  waiting_for_reporter: "Security has a question for you. Please read the conversation below and reply.",
  escalated: "Your report is being handled as part of a wider response. Thank you, it made a difference.",
  closed: "Done. Security has finished looking into it; the outcome is below.",
  merged:
    "Others noticed the same thing, so Security handles the reports together. You will see the outcome here.",
};

export function statusText(status: ReportStatus): string {
  return STATUS_TEXT[status];
}

/** Steps the reporter can take now, tailored to what they told us. */
export function selfHelp(d: CategoryDetails): string[] {
  switch (d.category) {
    case "phishing_email": {
      const steps: string[] = [];
      if (d.enteredCredentials)
        steps.push(
          "Change the password you typed in now, starting with your work account, and anywhere else you use it.",
          "If you were asked for a code from your authenticator app, tell us in the conversation: we will end your sessions for you.",
        );
      else if (d.clickedLink)
        steps.push(
          "Clicking a link alone is rarely harmful. If the page asked for a password or you typed one in, change it now and tell us.",
        );
      if (d.openedAttachment)
        steps.push(
          "Keep your computer switched on and connected so IT can check it; you do not need to do anything else with it.",
        );
      steps.push(
        "Delete the message from your inbox once you have reported it; please do not forward it to colleagues.",
      );
      return steps;
    }
    case "suspicious_payment":
      return d.paymentMade
        ? [
            "Call your bank or Finance now and ask them to stop or recall the payment: the first hour matters most.",
            "Keep the messages and any call details; they help Finance and the bank.",
          ]
        : [
            "Do not make the payment or change any bank details until Finance has confirmed the request by phone, using a number you already know.",
            "Keep the messages; do not reply to them.",
          ];
    case "suspicious_behaviour":
      return [
        "Do not confront anyone or investigate on your own; Security will take it from here.",
        "If anyone is in danger right now, call the emergency number first.",
      ];
    case "lost_device":
      return [
        d.deviceType === "phone"
          ? "Change your work password; your sessions on the phone will end and IT can wipe work data from it."
          : "Change your work password if it was saved on the device.",
        ...(d.stolen ? ["Report the theft to the police and add the case number in the conversation."] : []),
        "If you find the device again, tell us here so we can cancel the wipe.",
      ];
    case "own_mistake":
      switch (d.kind) {
        case "sent_to_wrong_recipient":
          return [
            "If you can, ask the recipient to delete the message and confirm they did; do not send anything further.",
            "You did the right thing by telling us; we will check whether anyone else needs to be informed.",
          ];
        case "clicked_link":
          return [
            "If the page asked for a password and you typed one in, change it now.",
            "Keep your computer on and connected so IT can check it.",
          ];
        case "shared_password":
          return ["Change the password now, and anywhere else you use it."];
        case "wrong_access_given":
          return ["If you can, remove the access you gave; otherwise leave it to IT, who will do it now."];
        default:
          return ["You did the right thing by telling us; Security will help you with the next steps."];
      }
    case "near_miss":
      return ["Nothing more to do. Near misses help us fix things before they cause harm; thank you."];
    case "question":
      return [
        "For questions that are not urgent, the Ask Security board and its FAQ may already have the answer.",
      ];
    default:
      return [];
  }
}
