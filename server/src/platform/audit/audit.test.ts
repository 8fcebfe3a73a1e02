import dgram from "node:dgram";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tempDir, testDatabase } from "../../test/harness.js";
import { type Db, migrate, type Queryable } from "../db/index.js";
import { AUDIT_COLUMNS, type AuditRow, rowToEntry } from "./chain.js";
import {
  type AuditEntry,
  appendAudit,
  appendAuditMany,
  type Checkpoint,
  CheckpointSigner,
  createCheckpoint,
  entryHash,
  exportCheckpoint,
  readLatestCheckpoint,
  verifyChain,
  verifyCheckpointSignature,
} from "./index.js";

const keyDir = tempDir("tandem-audit-keys-");
const signer = CheckpointSigner.load(path.join(keyDir, "signing.key"));
const otherSigner = CheckpointSigner.load(path.join(keyDir, "other.key"));
afterAll(() => fs.rmSync(keyDir, { recursive: true, force: true }));

/**
 * One database for the chain scenarios; each scenario starts from an empty chain, wiped the
 * way an attacker would (trigger bypassed), so tampering in one never leaks into the next.
 */
let chainDb: Db;
let dropChainDb: () => Promise<void>;
beforeAll(async () => {
  const t = await testDatabase();
  chainDb = t.db;
  dropChainDb = t.drop;
  await migrate(chainDb);
});
afterAll(() => dropChainDb?.());

async function freshChain(entries: number): Promise<Db> {
  const db = chainDb;
  await bypassTrigger(db, async (q) => {
    await q.query("DELETE FROM audit_log");
    await q.query("DELETE FROM audit_checkpoints");
    await q.query("UPDATE audit_head SET seq = 0, hash = 'genesis' WHERE id = 1");
  });
  for (let i = 1; i <= entries; i++) {
    await db.tx((q) =>
      appendAudit(
        q,
        { actorLabel: `tester${i}` },
        { action: `test.step_${i}`, targetId: `t${i}`, details: { i, nested: { b: 2, a: 1 } } },
      ),
    );
  }
  return db;
}

/** Runs SQL with the append-only trigger switched off, like a superuser covering tracks would. */
async function bypassTrigger(db: Db, fn: (q: Queryable) => Promise<void>): Promise<void> {
  await db.tx(async (q) => {
    // SET LOCAL ends with the transaction, so no pooled connection keeps the setting.
    await q.query("SET LOCAL session_replication_role = replica");
    await fn(q);
  });
}

async function entries(db: Queryable): Promise<AuditEntry[]> {
  const r = await db.query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY audit_log.seq`);
  return r.rows.map(rowToEntry);
}

async function signedHead(db: Db): Promise<Checkpoint> {
  const head = await db.query<{ seq: string; hash: string }>(
    "SELECT seq::text AS seq, hash FROM audit_head WHERE id = 1",
  );
  return signer.sign(Number(head.rows[0]!.seq), head.rows[0]!.hash);
}

describe("the hash chain", () => {
  it("appends build a valid chain linked from genesis", async () => {
    const db = await freshChain(5);
    const r = await verifyChain(db, { pageSize: 2 });
    expect(r).toMatchObject({ ok: true, checked: 5, headSeq: 5 });
    expect(r.broken).toBeUndefined();
    const all = await entries(db);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(all[0]!.prevHash).toBe("genesis");
    for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
    for (const e of all) expect(entryHash(e)).toBe(e.hash);
    expect(r.headHash).toBe(all[4]!.hash);
  });

  it("walks a long chain in numeric order across pages", async () => {
    const db = await freshChain(25);
    for (const pageSize of [1, 7, 5000])
      expect(await verifyChain(db, { pageSize })).toMatchObject({ ok: true, checked: 25, headSeq: 25 });
    await bypassTrigger(db, async (q) => {
      await q.query("UPDATE audit_log SET target_id = 'elsewhere' WHERE seq IN (12, 20)");
    });
    const r = await verifyChain(db, { pageSize: 7 });
    expect(r).toMatchObject({ ok: false, checked: 25, broken: { seq: 12 } });
  });

  it("appends many entries at once into the same chain, in order, between single appends", async () => {
    const db = await freshChain(2);
    const made = await db.tx((q) =>
      appendAuditMany(q, { actorLabel: "batch" }, [
        { action: "test.many_1", targetId: "m1", details: { z: 1, a: [2, { y: 3, b: 4 }] } },
        { action: "test.many_2", outcome: "failure" },
        {
          action: "test.many_3",
          targetType: "person",
          targetId: "p1",
          details: { note: "quote ' and \\ slash" },
        },
      ]),
    );
    expect(made.map((e) => e.seq)).toEqual([3, 4, 5]);
    await db.tx((q) => appendAudit(q, { actorLabel: "after" }, { action: "test.after" }));
    expect(await db.tx((q) => appendAuditMany(q, {}, []))).toEqual([]);
    const all = await entries(db);
    expect(all.map((e) => e.action)).toEqual([
      "test.step_1",
      "test.step_2",
      "test.many_1",
      "test.many_2",
      "test.many_3",
      "test.after",
    ]);
    expect(all[3]?.prevHash).toBe(all[2]?.hash);
    expect(all[2]?.details).toEqual({ z: 1, a: [2, { y: 3, b: 4 }] });
    expect(await verifyChain(db, { pageSize: 4 })).toMatchObject({ ok: true, checked: 6, headSeq: 6 });
  });

  it("refuses UPDATE, DELETE and TRUNCATE of audit_log in the database", async () => {
    const db = await freshChain(2);
    await expect(db.query("UPDATE audit_log SET action = 'x' WHERE seq = 1")).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    await expect(db.query("DELETE FROM audit_log WHERE seq = 2")).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    await expect(db.query("TRUNCATE audit_log")).rejects.toThrow(/append-only: TRUNCATE refused/);
    const count = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log");
    expect(count.rows[0]!.n).toBe(2);
    expect((await verifyChain(db)).ok).toBe(true);
  });

  it("names the first altered entry when the trigger is bypassed", async () => {
    const db = await freshChain(6);
    await bypassTrigger(db, async (q) => {
      await q.query("UPDATE audit_log SET outcome = 'failure' WHERE seq = 4");
      await q.query("UPDATE audit_log SET action = 'test.other' WHERE seq = 5");
    });
    const r = await verifyChain(db, { pageSize: 2 });
    expect(r.ok).toBe(false);
    expect(r.broken).toEqual({ seq: 4, reason: expect.stringMatching(/altered/) });
    // The tampering session did not leave the trigger switched off.
    await expect(db.query("UPDATE audit_log SET action = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
  });

  it("names the entry after a re-hashed one (its link no longer matches)", async () => {
    const db = await freshChain(5);
    const [, second] = await entries(db);
    const altered = { ...second!, details: { i: 2, note: "rewritten" } };
    await bypassTrigger(db, async (q) => {
      await q.query("UPDATE audit_log SET details = $1, hash = $2 WHERE seq = 2", [
        JSON.stringify(altered.details),
        entryHash(altered),
      ]);
    });
    const r = await verifyChain(db);
    expect(r.broken).toEqual({ seq: 3, reason: expect.stringMatching(/prev_hash/) });
  });

  it("names a removed entry in the middle, and a removed tail when the head was left alone", async () => {
    const db = await freshChain(6);
    await bypassTrigger(db, async (q) => {
      await q.query("DELETE FROM audit_log WHERE seq = 3");
    });
    expect((await verifyChain(db, { pageSize: 2 })).broken).toEqual({
      seq: 3,
      reason: "entry 3 is missing",
    });

    const db2 = await freshChain(4);
    await bypassTrigger(db2, async (q) => {
      await q.query("DELETE FROM audit_log WHERE seq = 4");
    });
    const r = await verifyChain(db2);
    expect(r.ok).toBe(false);
    expect(r.broken).toEqual({ seq: 4, reason: expect.stringMatching(/head does not match/) });
  });

  it("keeps a gapless valid chain under 20 concurrent transactions", async () => {
    const db = await freshChain(1);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.tx(async (q) => {
          await q.query("SELECT 1");
          return appendAudit(q, { actorLabel: `writer${i}` }, { action: "test.concurrent", details: { i } });
        }),
      ),
    );
    expect(results.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 2),
    );
    const r = await verifyChain(db);
    expect(r).toMatchObject({ ok: true, checked: 21, headSeq: 21 });
    const writers = new Set((await entries(db)).map((e) => e.actorLabel));
    expect(writers.size).toBe(21);
  });
});

describe("signed checkpoints", () => {
  it("a fresh checkpoint verifies; the signature covers seq, hash, time and key", async () => {
    const db = await freshChain(3);
    const cp = await signedHead(db);
    expect(cp.seq).toBe(3);
    expect(cp.keyId).toBe(signer.keyId);
    expect(verifyCheckpointSignature(cp, signer.publicKeyPem)).toBe(true);
    expect(verifyCheckpointSignature(cp, otherSigner.publicKeyPem)).toBe(false);
    for (const forged of [
      { ...cp, seq: 2 },
      { ...cp, hash: "0".repeat(64) },
      { ...cp, signedAt: new Date(0).toISOString() },
    ])
      expect(verifyCheckpointSignature(forged, signer.publicKeyPem)).toBe(false);

    const r = await verifyChain(db, { checkpoint: cp, publicKeyPem: signer.publicKeyPem });
    expect(r.ok).toBe(true);
    expect(r.checkpoint).toEqual({ seq: 3, ok: true, reason: undefined });
    // Entries appended after a checkpoint are fine: the checkpoint still names an intact entry.
    await db.tx((q) => appendAudit(q, {}, { action: "test.later" }));
    expect((await verifyChain(db, { checkpoint: cp, publicKeyPem: signer.publicKeyPem })).ok).toBe(true);
  });

  it("a checkpoint of the empty chain verifies", async () => {
    const db = await freshChain(0);
    const cp = await signedHead(db);
    expect(cp).toMatchObject({ seq: 0, hash: "genesis" });
    const r = await verifyChain(db, { checkpoint: cp, publicKeyPem: signer.publicKeyPem });
    expect(r).toMatchObject({ ok: true, checked: 0, checkpoint: { seq: 0, ok: true } });
  });

  it("a cut-off tail with a rewound head passes the plain check but fails against the checkpoint", async () => {
    const db = await freshChain(6);
    const cp = await signedHead(db);
    const all = await entries(db);
    await bypassTrigger(db, async (q) => {
      await q.query("DELETE FROM audit_log WHERE seq > 4");
      await q.query("UPDATE audit_head SET seq = 4, hash = $1 WHERE id = 1", [all[3]!.hash]);
    });
    const plain = await verifyChain(db);
    expect(plain).toMatchObject({ ok: true, checked: 4, headSeq: 4 });

    const r = await verifyChain(db, { checkpoint: cp, publicKeyPem: signer.publicKeyPem });
    expect(r.ok).toBe(false);
    expect(r.broken).toBeUndefined();
    expect(r.checkpoint).toEqual({ seq: 6, ok: false, reason: expect.stringMatching(/entry 6 .*cut off/) });

    // New entries written over the cut look like a valid chain, yet entry 6 is not the signed one.
    await db.tx((q) => appendAudit(q, {}, { action: "test.after_cut" }));
    await db.tx((q) => appendAudit(q, {}, { action: "test.after_cut" }));
    expect((await verifyChain(db)).ok).toBe(true);
    const again = await verifyChain(db, { checkpoint: cp, publicKeyPem: signer.publicKeyPem });
    expect(again.checkpoint).toMatchObject({ ok: false, reason: expect.stringMatching(/rewritten/) });
  });

  it("a chain rebuilt end-to-end with recomputed hashes fails against the checkpoint", async () => {
    const db = await freshChain(5);
    const cp = await signedHead(db);
    const all = await entries(db);
    await bypassTrigger(db, async (q) => {
      let prevHash = "genesis";
      for (const e of all) {
        const rebuilt = { ...e, prevHash, actorLabel: e.seq === 2 ? "someone else" : e.actorLabel };
        const hash = entryHash(rebuilt);
        await q.query("UPDATE audit_log SET actor_label = $1, prev_hash = $2, hash = $3 WHERE seq = $4", [
          rebuilt.actorLabel,
          prevHash,
          hash,
          e.seq,
        ]);
        prevHash = hash;
      }
      await q.query("UPDATE audit_head SET hash = $1 WHERE id = 1", [prevHash]);
    });
    expect((await verifyChain(db)).ok).toBe(true);
    const r = await verifyChain(db, { checkpoint: cp, publicKeyPem: signer.publicKeyPem });
    expect(r.ok).toBe(false);
    expect(r.checkpoint).toEqual({
      seq: 5,
      ok: false,
      reason: expect.stringMatching(/differs from the signed/),
    });
  });

  it("a checkpoint with a forged signature fails", async () => {
    const db = await freshChain(3);
    const cp = await signedHead(db);
    const bytes = Buffer.from(cp.signature, "base64");
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    const forged = { ...cp, signature: bytes.toString("base64") };
    const r = await verifyChain(db, { checkpoint: forged, publicKeyPem: signer.publicKeyPem });
    expect(r.ok).toBe(false);
    expect(r.checkpoint).toEqual({ seq: 3, ok: false, reason: "checkpoint signature is invalid" });
    // Signed by another key: the signature is genuine, but not ours.
    const foreign = otherSigner.sign(cp.seq, cp.hash);
    const r2 = await verifyChain(db, { checkpoint: foreign, publicKeyPem: signer.publicKeyPem });
    expect(r2.checkpoint?.reason).toBe("checkpoint signature is invalid");
    const garbage = await verifyChain(db, {
      checkpoint: { ...cp, signature: "not base64 at all" },
      publicKeyPem: signer.publicKeyPem,
    });
    expect(garbage.ok).toBe(false);
  });

  it("the signing key file is created 0600 and loads back to the same key", () => {
    const file = path.join(keyDir, "nested", "dir", "key.pem");
    const a = CheckpointSigner.load(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const b = CheckpointSigner.load(file);
    expect(b.keyId).toBe(a.keyId);
    expect(b.publicKeyPem).toBe(a.publicKeyPem);
    expect(verifyCheckpointSignature(a.sign(1, "abc"), b.publicKeyPem)).toBe(true);
  });

  it("reads the last checkpoint of an NDJSON file and refuses files without one", () => {
    const file = path.join(keyDir, "cps.ndjson");
    const a = signer.sign(1, "a");
    const b = signer.sign(2, "b");
    fs.writeFileSync(file, `${JSON.stringify(a)}\n${JSON.stringify(b)}\n\n`);
    expect(readLatestCheckpoint(file)).toEqual(b);
    fs.writeFileSync(file, "\n");
    expect(() => readLatestCheckpoint(file)).toThrow(/holds no checkpoint/);
    fs.writeFileSync(file, '{"seq":"1"}\n');
    expect(() => readLatestCheckpoint(file)).toThrow(/not a checkpoint/);
  });
});

describe("checkpoint sinks", () => {
  it("POSTs the signed checkpoint to an HTTP endpoint and reports a refusal", async () => {
    const received: { method?: string; type?: string; body: string }[] = [];
    let status = 204;
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        received.push({ method: req.method, type: req.headers["content-type"], body });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkpoints`;
      const cp = signer.sign(7, "f".repeat(64));
      expect(await exportCheckpoint(cp, { url })).toEqual([`http:${new URL(url).origin}`]);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ method: "POST", type: "application/json" });
      const sent = JSON.parse(received[0]!.body) as Checkpoint;
      expect(sent).toEqual(cp);
      expect(verifyCheckpointSignature(sent, signer.publicKeyPem)).toBe(true);

      status = 500;
      await expect(exportCheckpoint(cp, { url })).rejects.toThrow(/answered 500/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("sends the signed checkpoint to syslog over UDP", async () => {
    const sock = dgram.createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
    const got = new Promise<string>((resolve) => sock.once("message", (m) => resolve(m.toString())));
    try {
      const target = `udp://127.0.0.1:${sock.address().port}`;
      const cp = signer.sign(8, "e".repeat(64));
      expect(await exportCheckpoint(cp, { syslog: target })).toEqual([`syslog:${target}`]);
      const msg = await got;
      expect(msg).toMatch(/^<109>1 \S+ - tandem - audit-checkpoint - \{/);
      const sent = JSON.parse(msg.slice(msg.indexOf("{"))) as Checkpoint;
      expect(sent).toEqual(cp);
      expect(verifyCheckpointSignature(sent, signer.publicKeyPem)).toBe(true);
    } finally {
      sock.close();
    }
  });

  it("sends the signed checkpoint to syslog over TCP with octet-counting framing", async () => {
    const chunks: Buffer[] = [];
    const server = net.createServer();
    const done = new Promise<void>((resolve) => {
      server.on("connection", (s) => {
        s.on("data", (c: Buffer) => chunks.push(c));
        s.on("end", () => resolve());
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const target = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const cp = signer.sign(9, "d".repeat(64));
      await exportCheckpoint(cp, { syslog: target });
      await done;
      const frame = Buffer.concat(chunks).toString();
      const m = /^(\d+) (.*)$/s.exec(frame);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBe(Buffer.byteLength(m![2]!));
      expect(m![2]).toMatch(/^<109>1 .* audit-checkpoint - /);
      expect(JSON.parse(m![2]!.slice(m![2]!.indexOf("{")))).toEqual(cp);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("refuses a malformed syslog target", async () => {
    await expect(exportCheckpoint(signer.sign(1, "a"), { syslog: "smtp://x:1" })).rejects.toThrow(
      /bad syslog target/,
    );
  });

  it("createCheckpoint signs the current head, exports it and records it", async () => {
    const db = await freshChain(2);
    const file = path.join(keyDir, "created", "cps.ndjson");
    const { checkpoint, exportedTo } = await createCheckpoint(db, signer, { file });
    expect(exportedTo).toEqual([`file:${file}`]);
    expect(checkpoint.seq).toBe(2);
    expect(readLatestCheckpoint(file)).toEqual(checkpoint);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const rows = await db.query<{ seq: string; signature: string }>(
      "SELECT seq::text AS seq, signature FROM audit_checkpoints",
    );
    expect(rows.rows).toEqual([{ seq: "2", signature: checkpoint.signature }]);
  });
});

describe("audit API", () => {
  let h: TestApp;
  let auditor: Awaited<ReturnType<TestApp["signedIn"]>>;
  const marks: string[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    h = await startTestApp();
    auditor = await h.signedIn(["auditor"]);
    // Three batches separated in time, so from/to can tell them apart.
    const rows: [string, string, "success" | "failure" | "denied"][][] = [
      [
        ["qa.alpha.one", "alice@example.test", "success"],
        ["qa.alpha.two", "bob@example.test", "failure"],
      ],
      [
        ["qa.abc", "alice@example.test", "denied"],
        ["qa.a_c", "carol@example.test", "success"],
      ],
      [
        ["qa.beta", "bob@example.test", "success"],
        ["qa.alpha.three", "alice@example.test", "success"],
      ],
    ];
    for (const batch of rows) {
      await sleep(15);
      marks.push(new Date().toISOString());
      await sleep(15);
      for (const [action, actorLabel, outcome] of batch)
        await h.t.db.tx((q) =>
          appendAudit(q, { actorLabel, actorId: `id-${actorLabel}` }, { action, outcome }),
        );
    }
  });
  afterAll(() => h.close());

  type Page = { items: (AuditEntry & { prevHash?: string })[]; nextCursor: string | null };
  const list = async (query: string) => {
    const res = await auditor.get(`/api/v1/audit?${query}`);
    expect(res.statusCode).toBe(200);
    return res.json<Page>();
  };
  const actions = (p: Page) => p.items.map((e) => e.action);

  it("needs audit:read: 401 anonymous, 403 for other roles", async () => {
    expect((await h.client().get("/api/v1/audit")).statusCode).toBe(401);
    for (const role of ["hr", "employee", "it"]) {
      const c = await h.signedIn([role]);
      const res = await c.get("/api/v1/audit");
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe("auth.forbidden");
    }
    expect((await (await h.signedIn(["security"])).get("/api/v1/audit")).statusCode).toBe(200);
  });

  it("filters by action prefix (LIKE wildcards taken literally), actor and outcome", async () => {
    expect(actions(await list("action=qa.alpha"))).toEqual([
      "qa.alpha.three",
      "qa.alpha.two",
      "qa.alpha.one",
    ]);
    expect(actions(await list("action=qa.a_"))).toEqual(["qa.a_c"]);
    expect(actions(await list("action=qa.&actor=bob@"))).toEqual(["qa.beta", "qa.alpha.two"]);
    expect(actions(await list("action=qa.&actor=id-carol@example.test"))).toEqual(["qa.a_c"]);
    expect(actions(await list("action=qa.&outcome=denied"))).toEqual(["qa.abc"]);
    expect(actions(await list("action=qa.&actor=ALICE&outcome=success"))).toEqual([
      "qa.alpha.three",
      "qa.alpha.one",
    ]);
    const bad = await auditor.get("/api/v1/audit?outcome=maybe");
    expect(bad.statusCode).toBe(400);
  });

  it("filters by time range (from inclusive, to exclusive)", async () => {
    expect(actions(await list(`action=qa.&from=${marks[1]}&to=${marks[2]}`))).toEqual(["qa.a_c", "qa.abc"]);
    expect(actions(await list(`action=qa.&from=${marks[2]}`))).toEqual(["qa.alpha.three", "qa.beta"]);
    expect(actions(await list(`action=qa.&to=${marks[1]}`))).toEqual(["qa.alpha.two", "qa.alpha.one"]);
    expect((await auditor.get("/api/v1/audit?from=yesterday")).statusCode).toBe(400);
  });

  it("pages newest first with a cursor, without duplicates or gaps", async () => {
    const all = await list("limit=200");
    const seqs = all.items.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(all.items[0]).not.toHaveProperty("prevHash");

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await list(`limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.seq));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    // Reading the log appends nothing, so the pages cover exactly what the single listing showed.
    expect(seen).toEqual(seqs);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(seqs.length / 2));

    const filtered = await list("action=qa.alpha&limit=2");
    expect(filtered.nextCursor).not.toBeNull();
    const rest = await list(`action=qa.alpha&limit=2&cursor=${filtered.nextCursor}`);
    expect([...actions(filtered), ...actions(rest)]).toEqual([
      "qa.alpha.three",
      "qa.alpha.two",
      "qa.alpha.one",
    ]);
    expect(rest.nextCursor).toBeNull();
  });

  it("answers a bad cursor with a 400 problem request.bad_cursor", async () => {
    const badCursors = [
      "not-a-cursor",
      Buffer.from('{"s":-1}').toString("base64url"),
      Buffer.from('{"x":1}').toString("base64url"),
    ];
    for (const cursor of badCursors) {
      const res = await auditor.get(`/api/v1/audit?cursor=${cursor}`);
      expect(res.statusCode).toBe(400);
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(res.json().code).toBe("request.bad_cursor");
    }
  });

  it("POST /api/v1/audit/checkpoints signs the head and appends it to the NDJSON file", async () => {
    const file = path.join(h.dataDir, "audit-checkpoints.ndjson");
    expect(fs.existsSync(file)).toBe(false);
    const anon = await h.client().post("/api/v1/audit/checkpoints");
    expect(anon.statusCode).toBe(401);
    const security = await h.signedIn(["security"]);
    expect((await security.post("/api/v1/audit/checkpoints")).statusCode).toBe(403);

    const res = await auditor.post("/api/v1/audit/checkpoints");
    expect(res.statusCode).toBe(201);
    const { checkpoint, exportedTo } = res.json<{ checkpoint: Checkpoint; exportedTo: string[] }>();
    expect(exportedTo).toEqual([`file:${file}`]);
    expect(readLatestCheckpoint(file)).toEqual(checkpoint);
    expect(verifyCheckpointSignature(checkpoint, h.t.signer.publicKeyPem)).toBe(true);

    // The request itself is the entry the checkpoint seals.
    const head = await list("limit=1");
    expect(head.items[0]).toMatchObject({ seq: checkpoint.seq, action: "audit.checkpoint_requested" });
    expect(head.items[0]!.actorId).toBe(auditor.userId);

    const second = await auditor.post("/api/v1/audit/checkpoints");
    expect(second.statusCode).toBe(201);
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);

    const listed = await auditor.get("/api/v1/audit/checkpoints");
    expect(listed.statusCode).toBe(200);
    const body = listed.json<{ items: Checkpoint[]; publicKey: string }>();
    expect(body.publicKey).toBe(h.t.signer.publicKeyPem);
    expect(body.items.map((c) => c.seq)).toEqual([checkpoint.seq + 1, checkpoint.seq]);

    const verified = await verifyChain(h.t.db, {
      checkpoint: readLatestCheckpoint(file),
      publicKeyPem: body.publicKey,
    });
    expect(verified).toMatchObject({ ok: true, checkpoint: { ok: true } });
  });
});
