import Fastify from "fastify";
import { CpuProfiler } from "../lib/profile.js";
import { announce } from "../lib/serve.js";

/**
 * The baseline: the same Fastify version Tandem uses, no plugins, no logger, one route
 * answering a small JSON object. It is the ceiling for any Fastify app on this machine.
 */

const app = Fastify({ logger: false });
app.get("/hello", async () => ({ hello: "world" }));
await app.listen({ host: "127.0.0.1", port: 0 });
const address = app.server.address();
const port = typeof address === "object" && address ? address.port : 0;

const profiler = new CpuProfiler();
announce(
  app.server,
  port,
  { logLevel: "off" },
  { "profile-start": () => profiler.start(), "profile-stop": () => profiler.stop() },
  () => app.close(),
);
