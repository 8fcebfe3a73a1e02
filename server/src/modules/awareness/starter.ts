/**
 * Starter content: the policies and training modules shipped with Tandem (content/), and the
 * rules that hand them out. Seeding is idempotent (each item carries its starter key) and
 * serialised across nodes, so it can run at every start.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { AuditContext } from "../../platform/audit/index.js";
import type { Db } from "../../platform/db/index.js";
import type { Events } from "../../platform/events/index.js";
import { EVERYONE } from "./audience.js";
import { addDays } from "./context.js";
import { createModule, moduleInput, setModuleStatus } from "./modules.js";
import { seedStarterTemplates } from "./phishing/starter-templates.js";
import { createPolicy, publishPolicy } from "./policies.js";
import { createRule, TRIGGERS } from "./rules.js";

const CONTENT = path.join(path.dirname(fileURLToPath(import.meta.url)), "content");

const manifestSchema = z.object({
  policies: z.array(z.object({ key: z.string(), title: z.string(), owner: z.string(), file: z.string() })),
  modules: z.array(z.object({ key: z.string(), file: z.string(), quiz: z.string() })),
  rules: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      trigger: z.enum(TRIGGERS),
      item: z.string().regex(/^(policy|module):/),
      dueDays: z.number().int(),
    }),
  ),
});

export interface StarterResult {
  policies: number;
  modules: number;
  rules: number;
}

const read = (file: string) => fs.readFileSync(path.join(CONTENT, file), "utf8");

/** The starter manifest with every file read and checked (a test reads it too). */
export function loadStarter() {
  const manifest = manifestSchema.parse(JSON.parse(read("starter.json")));
  return {
    policies: manifest.policies.map((p) => ({ ...p, body: read(p.file) })),
    modules: manifest.modules.map((m) => ({
      key: m.key,
      input: moduleInput.parse({ ...JSON.parse(read(m.quiz)), body: read(m.file) }),
    })),
    rules: manifest.rules,
  };
}

export async function seedStarterContent(db: Db, events: Events, ctx: AuditContext): Promise<StarterResult> {
  const starter = loadStarter();
  return db.tx(async (q) => {
    await q.query("SELECT pg_advisory_xact_lock(hashtext('awareness.starter'))");
    const out: StarterResult = { policies: 0, modules: 0, rules: 0 };
    const ids = new Map<string, string>();
    const known = async (table: string, key: string) =>
      (await q.query<{ id: string }>(`SELECT id FROM ${table} WHERE starter_key = $1`, [key])).rows[0]?.id;
    for (const p of starter.policies) {
      let id = await known("awareness_policies", p.key);
      if (!id) {
        id = await createPolicy(
          q,
          ctx,
          {
            title: p.title,
            owner: p.owner,
            reviewDue: addDays(new Date(), 365).toISOString().slice(0, 10),
            audience: EVERYONE,
            ackDueDays: 14,
            body: p.body,
            changeNote: "Starter policy shipped with Tandem: adapt it to your organisation",
          },
          p.key,
        );
        await publishPolicy(q, ctx, events, id);
        out.policies++;
      }
      ids.set(`policy:${p.key}`, id);
    }
    for (const m of starter.modules) {
      let id = await known("awareness_modules", m.key);
      if (!id) {
        id = await createModule(q, ctx, m.input, m.key);
        await setModuleStatus(q, ctx, id, "published");
        out.modules++;
      }
      ids.set(`module:${m.key}`, id);
    }
    for (const r of starter.rules) {
      if (await known("awareness_rules", r.key)) continue;
      const itemId = ids.get(r.item);
      if (!itemId) throw new Error(`starter rule ${r.key} names unknown item ${r.item}`);
      await createRule(
        q,
        ctx,
        {
          name: r.name,
          trigger: r.trigger,
          itemType: r.item.startsWith("policy:") ? "policy" : "module",
          itemId,
          audience: EVERYONE,
          dueDays: r.dueDays,
          enabled: true,
        },
        r.key,
      );
      out.rules++;
    }
    await seedStarterTemplates(q, ctx);
    return out;
  });
}
