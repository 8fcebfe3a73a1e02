import { z } from "zod";
import { type FieldError, unprocessable } from "../../../platform/http/index.js";
import { EMPLOYMENT_TYPES, TERMINATION_TYPES } from "../schemas.js";

/**
 * What an HR system posts: `{ id, type, occurredAt, data }`. People are named by their
 * employee number; departments, job roles and locations by name; managers by employee number.
 */

export const DELIVERY_TYPES = [
  "person.hired",
  "person.updated",
  "person.terminated",
  "person.transferred",
  "person.resigned",
] as const;
export type DeliveryType = (typeof DELIVERY_TYPES)[number];

export const deliveryEnvelope = z
  .object({
    id: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe("The delivery id; a second delivery with the same id is ignored"),
    type: z.string().trim().min(1).max(100).describe(DELIVERY_TYPES.join(", ")),
    occurredAt: z.iso.datetime({ offset: true }),
    data: z.record(z.string(), z.unknown()),
  })
  .strict();

const isoDate = z.iso.date();
const employeeNumber = z.string().trim().min(1).max(40);
const name = z.string().trim().min(1).max(200);

/** References by name; null clears, absent leaves unchanged. */
const refs = {
  department: name.nullish(),
  jobRole: name.nullish(),
  location: name.nullish(),
  managerEmployeeNumber: employeeNumber.nullish(),
};
const when = { effectiveDate: isoDate.optional(), effectiveAt: z.iso.datetime({ offset: true }).optional() };
const oneMoment = (d: { effectiveDate?: string; effectiveAt?: string }) =>
  !(d.effectiveDate && d.effectiveAt);
const momentIssue = { message: "give effectiveDate or effectiveAt, not both", path: ["effectiveAt"] };

const hired = z
  .object({
    employeeNumber,
    legalName: name,
    preferredName: name.nullish(),
    workEmail: z.string().trim().toLowerCase().email().max(254),
    employmentType: z.enum(EMPLOYMENT_TYPES).default("employee"),
    status: z.enum(["candidate", "pre_hire", "active"]).default("pre_hire"),
    startDate: isoDate.nullish(),
    ...refs,
  })
  .strict();

const updated = z
  .object({
    employeeNumber,
    newEmployeeNumber: employeeNumber.optional(),
    legalName: name.optional(),
    preferredName: name.nullish(),
    workEmail: z.string().trim().toLowerCase().email().max(254).optional(),
    employmentType: z.enum(EMPLOYMENT_TYPES).optional(),
    startDate: isoDate.nullish(),
    ...refs,
  })
  .strict()
  .refine((d) => Object.keys(d).some((k) => k !== "employeeNumber"), {
    message: "an update needs at least one changed field",
    path: ["employeeNumber"],
  });

const transferred = z
  .object({ employeeNumber, ...refs, ...when, reason: z.string().trim().max(2000).optional() })
  .strict()
  .refine(oneMoment, momentIssue)
  .refine((d) => Object.keys(refs).some((k) => d[k as keyof typeof refs] !== undefined), {
    message: "a transfer needs department, jobRole, location or managerEmployeeNumber",
    path: ["department"],
  });

const terminated = z
  .object({
    employeeNumber,
    terminationType: z.enum(TERMINATION_TYPES),
    ...when,
    reason: z.string().trim().max(2000).optional(),
  })
  .strict()
  .refine(oneMoment, momentIssue);

const resigned = z
  .object({
    employeeNumber,
    lastWorkingDay: isoDate,
    ...when,
    reason: z.string().trim().max(2000).optional(),
  })
  .strict()
  .refine(oneMoment, momentIssue);

const DATA = {
  "person.hired": hired,
  "person.updated": updated,
  "person.transferred": transferred,
  "person.terminated": terminated,
  "person.resigned": resigned,
} as const;

export type Delivery =
  | { id: string; occurredAt: string; type: "person.hired"; data: z.infer<typeof hired> }
  | { id: string; occurredAt: string; type: "person.updated"; data: z.infer<typeof updated> }
  | { id: string; occurredAt: string; type: "person.transferred"; data: z.infer<typeof transferred> }
  | { id: string; occurredAt: string; type: "person.terminated"; data: z.infer<typeof terminated> }
  | { id: string; occurredAt: string; type: "person.resigned"; data: z.infer<typeof resigned> };

function fieldErrors(error: z.ZodError, prefix: string): FieldError[] {
  return error.issues.flatMap((i) => {
    const base = [prefix, ...i.path.map(String)].filter(Boolean).join(".");
    const keys = (i as { keys?: string[] }).keys;
    if (i.code === "unrecognized_keys" && keys?.length)
      return keys.map((k) => ({ path: [base, k].filter(Boolean).join("."), message: "unknown field" }));
    return [{ path: base, message: i.message }];
  });
}

const invalid = (errors: FieldError[]) =>
  unprocessable(
    "webhook.invalid_payload",
    `Invalid delivery: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`,
    errors,
  );

/** Parses a delivery; every problem names its field (`data.employeeNumber`, `occurredAt`…). */
export function parseDelivery(json: unknown): Delivery {
  const env = deliveryEnvelope.safeParse(json);
  if (!env.success) throw invalid(fieldErrors(env.error, ""));
  const type = env.data.type as DeliveryType;
  const schema = DATA[type];
  if (!schema) {
    throw unprocessable(
      "webhook.unknown_type",
      `Unknown delivery type ${env.data.type} (${DELIVERY_TYPES.join(", ")})`,
      [{ path: "type", message: "unknown type" }],
    );
  }
  const data = schema.safeParse(env.data.data);
  if (!data.success) throw invalid(fieldErrors(data.error, "data"));
  return { id: env.data.id, occurredAt: env.data.occurredAt, type, data: data.data } as Delivery;
}
