import { z } from "zod";
import { DEFAULT_TEMPLATES, MANUAL_TEMPLATE_KEYS, MANUAL_TEMPLATES, type ManualAction } from "./tasks.js";

const templateKey = z.enum(MANUAL_TEMPLATE_KEYS);

const templateFor = (action: ManualAction) => templateKey.default(DEFAULT_TEMPLATES[action]);

export const manualEntitlementSchema = z.object({
  /** A stable id, e.g. badge-hq or laptop. */
  id: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, "must be letters, digits and . _ : - (at most 100)"),
  name: z.string().trim().min(1).max(200),
  kind: z.enum(["group", "role", "licence"]).default("role"),
  description: z.string().trim().max(1000).optional(),
  /** The template used to take this entitlement away, e.g. rotate_shared_credentials. */
  revokeTemplate: templateKey.optional(),
  /** The template used to give this entitlement. */
  grantTemplate: templateKey.optional(),
});

export const manualConfigSchema = z
  .object({
    /** The system as people know it, e.g. "Door badges (head office)". */
    systemName: z.string().trim().min(1).max(200),
    /** Who does the tasks, e.g. "Facilities desk"; shown on every task. */
    owner: z.string().trim().min(1).max(200),
    /** Which template each operation uses. */
    templates: z
      .object({
        create: templateFor("create"),
        update: templateFor("update"),
        disable: templateFor("disable"),
        enable: templateFor("enable"),
        delete: templateFor("delete"),
        grant: templateFor("grant"),
        revoke: templateFor("revoke"),
      })
      .prefault({}),
    /** Due times (minutes) that replace a template's default, e.g. { "return_laptop_and_phone": 2880 }. */
    dueMinutes: z
      .partialRecord(
        templateKey,
        z
          .number()
          .int()
          .min(5)
          .max(90 * 24 * 60),
      )
      .default({}),
    /** What people can hold in the system (badge zones, devices, shared vaults…). */
    entitlements: z.array(manualEntitlementSchema).max(500).default([]),
    /** Extra text added to every task, e.g. where the admin console is. */
    instructions: z.string().trim().max(2000).optional(),
  })
  .superRefine((c, ctx) => {
    for (const [action, key] of Object.entries(c.templates) as [
      ManualAction,
      keyof typeof MANUAL_TEMPLATES,
    ][]) {
      const actions: readonly ManualAction[] = MANUAL_TEMPLATES[key].actions;
      if (!actions.includes(action)) {
        ctx.addIssue({
          code: "custom",
          path: ["templates", action],
          message: `${key} cannot stand for ${action} (it serves ${actions.join(", ")})`,
        });
      }
    }
    const seen = new Set<string>();
    c.entitlements.forEach((e, i) => {
      if (seen.has(e.id)) {
        ctx.addIssue({ code: "custom", path: ["entitlements", i, "id"], message: `${e.id} is listed twice` });
      }
      seen.add(e.id);
      for (const [field, action] of [
        ["revokeTemplate", "revoke"],
        ["grantTemplate", "grant"],
      ] as const) {
        const key = e[field];
        const actions: readonly ManualAction[] | undefined = key && MANUAL_TEMPLATES[key].actions;
        if (actions && !actions.includes(action)) {
          ctx.addIssue({
            code: "custom",
            path: ["entitlements", i, field],
            message: `${key} cannot stand for ${action}`,
          });
        }
      }
    });
  });

export type ManualConfig = z.output<typeof manualConfigSchema>;
export type ManualConfigInput = z.input<typeof manualConfigSchema>;
