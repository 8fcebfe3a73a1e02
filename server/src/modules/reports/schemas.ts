import { z } from "zod";

export const CATEGORIES = [
  "phishing_email",
  "suspicious_payment",
  "suspicious_behaviour",
  "lost_device",
  "own_mistake",
  "near_miss",
  "question",
  "other",
] as const;
export type Category = (typeof CATEGORIES)[number];

export const STATUSES = [
  "new",
  "acknowledged",
  "in_review",
  "waiting_for_reporter",
  "escalated",
  "closed",
  "merged",
] as const;
export type ReportStatus = (typeof STATUSES)[number];
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export const VERDICTS = ["benign", "malicious", "needs_more_info"] as const;
export type Verdict = (typeof VERDICTS)[number];
export const CHANNELS = ["web", "anonymous", "api", "email"] as const;
export type Channel = (typeof CHANNELS)[number];

const when = z.iso.datetime({ offset: true });
const short = (max = 200) => z.string().trim().max(max);
const yesNoUnknown = z.enum(["yes", "no", "unknown"]);

/** Each category's guided form: the questions that help Security most, none of them about fault. */
export const categoryDetails = z.discriminatedUnion("category", [
  z
    .object({
      category: z.literal("phishing_email"),
      sender: short(254).optional(),
      subject: short(500).optional(),
      receivedAt: when.optional(),
      urls: z
        .array(z.url({ protocol: /^https?$/ }).max(2000))
        .max(20)
        .optional(),
      clickedLink: z.boolean().default(false),
      enteredCredentials: z.boolean().default(false),
      openedAttachment: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      category: z.literal("suspicious_payment"),
      requester: short().optional(),
      beneficiary: short().optional(),
      amount: z.number().positive().max(1e12).optional(),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/, "must be a three-letter currency code")
        .optional(),
      channel: z.enum(["email", "phone", "chat", "letter", "in_person", "other"]),
      paymentMade: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      category: z.literal("suspicious_behaviour"),
      where: short().optional(),
      observedAt: when.optional(),
      ongoing: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      category: z.literal("lost_device"),
      deviceType: z.enum(["laptop", "phone", "tablet", "usb_drive", "badge", "other"]),
      companyOwned: z.boolean(),
      stolen: z.boolean().default(false),
      lostAt: when.optional(),
      location: short().optional(),
      encrypted: yesNoUnknown.default("unknown"),
    })
    .strict(),
  z
    .object({
      category: z.literal("own_mistake"),
      kind: z.enum([
        "sent_to_wrong_recipient",
        "clicked_link",
        "shared_password",
        "lost_data",
        "wrong_access_given",
        "other",
      ]),
      happenedAt: when.optional(),
      personalDataInvolved: yesNoUnknown.default("unknown"),
    })
    .strict(),
  z
    .object({
      category: z.literal("near_miss"),
      whatStoppedIt: short(1000).optional(),
    })
    .strict(),
  z.object({ category: z.literal("question") }).strict(),
  z.object({ category: z.literal("other") }).strict(),
]);
export type CategoryDetails = z.infer<typeof categoryDetails>;

export const attachmentInput = z
  .object({
    filename: z.string().trim().min(1).max(200),
    contentBase64: z.string().min(1).base64(),
  })
  .strict();
export type AttachmentInput = z.infer<typeof attachmentInput>;

export const reportInput = z
  .object({
    title: z.string().trim().min(3).max(200),
    description: z.string().max(20000).default(""),
    details: categoryDetails,
    attachments: z.array(attachmentInput).default([]),
  })
  .strict();
export type ReportInput = z.infer<typeof reportInput>;

export const idParams = z.object({ id: z.string().min(1).max(40) }).strict();

/** A follow-up code travels in a body, never in a URL (URLs end up in logs and histories). */
export const codeBody = z.object({ code: z.string().trim().min(16).max(80) }).strict();

export const messageView = z.object({
  id: z.string(),
  author: z.enum(["security", "reporter"]),
  authorName: z.string().nullable(),
  body: z.string(),
  createdAt: z.string(),
});

/** What a reporter sees of their report: status and outcome in plain words, no triage internals. */
export const reporterView = z.object({
  id: z.string(),
  reference: z.string(),
  category: z.enum(CATEGORIES),
  title: z.string(),
  description: z.string(),
  status: z.enum(STATUSES),
  statusText: z.string(),
  outcome: z.string().nullable(),
  selfHelp: z.array(z.string()),
  anonymous: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  messages: z.array(messageView),
  attachments: z.array(z.object({ filename: z.string(), size: z.number() })),
});
export type ReporterView = z.infer<typeof reporterView>;

export const thankYou = z.object({
  id: z.string(),
  reference: z.string(),
  message: z.string(),
  selfHelp: z.array(z.string()),
  /** Only for anonymous reports, shown once: the only way back to the report. */
  followUpCode: z.string().nullable(),
});
