import fs from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { TypedApp } from "./http/index.js";

/** Serves the built web app with a fallback to index.html for client-side routes. */
export async function serveWeb(app: TypedApp, dir: string): Promise<boolean> {
  const index = path.join(dir, "index.html");
  if (!fs.existsSync(index)) return false;
  await app.register(fastifyStatic, { root: dir, prefix: "/", wildcard: false, index: false });
  const html = fs.readFileSync(index);
  const sendIndex = (_req: unknown, reply: { type: (t: string) => { send: (b: Buffer) => unknown } }) =>
    reply.type("text/html; charset=utf-8").send(html);
  app.get("/", { schema: { hide: true } }, sendIndex);
  app.get("/*", { schema: { hide: true } }, async (req, reply) => {
    const rel = decodeURIComponent((req.params as { "*": string })["*"]);
    const file = path.join(dir, rel);
    if (rel && file.startsWith(dir) && fs.existsSync(file) && fs.statSync(file).isFile())
      return reply.sendFile(rel);
    if (/^(api|scim)\//.test(rel) || rel.startsWith("healthz")) {
      return reply.callNotFound();
    }
    return sendIndex(req, reply);
  });
  return true;
}
