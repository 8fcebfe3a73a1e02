import { startScimServer } from "../server/src/test/scim-server.js";

/**
 * The SCIM applications of the access benchmarks, in a process of their own so that the
 * servers Tandem writes to never share Tandem's event loop. Starts N SCIM 2.0 servers (the
 * same third-party-library server the connector tests use) on 127.0.0.1, each with one group
 * "app-users", prints one JSON line [{ baseUrl, token, groupId }], and stops when its
 * standard input closes (the benchmark ends) or on SIGTERM.
 *
 *   node --import tsx bench/access-peers.ts N
 */
const n = Number(process.argv[2] ?? "1");
if (!Number.isInteger(n) || n < 1 || n > 100) {
  process.stderr.write("usage: access-peers.ts N (1-100 SCIM servers)\n");
  process.exit(2);
}

const servers = await Promise.all(Array.from({ length: n }, () => startScimServer({ userGroups: true })));
const out = servers.map((s) => ({ baseUrl: s.baseUrl, token: s.token, groupId: s.addGroup("app-users") }));
process.stdout.write(`${JSON.stringify(out)}\n`);

const stop = async () => {
  await Promise.allSettled(servers.map((s) => s.stop()));
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
