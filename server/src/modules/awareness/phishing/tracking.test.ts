import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test/access.js";
import { buildEmployee, buildModule } from "../../../test/awareness.js";
import { onPostgres, startTestApp, type TestApp } from "../../../test/harness.js";
import {
  BROWSER,
  BROWSER_FETCH,
  interactionsOf,
  type SeedCampaign,
  seedCampaign,
  seedRecipient,
  stagesOf,
} from "../../../test/phishing-tracking.js";

/**
 * Tracking over real HTTP: only a browser-confirmed click counts, scanners and previews are
 * filtered with the reason, counting is idempotent, a submission records the fact only, and
 * unknown or expired links count nothing.
 */

let h: TestApp;
let hr: Awaited<ReturnType<TestApp["signedIn"]>>;
let moduleId: string;
let camp: SeedCampaign;

beforeAll(async () => {
  h = await startTestApp({ TANDEM_PHISHING_SCANNER_RANGES: "192.0.2.0/24, 2001:db8::/32" });
  hr = await h.signedIn(["hr"]);
  const author = await h.signedIn(["security"]);
  moduleId = (await buildModule(author, { title: "Spotting phishing" })).id;
  camp = await seedCampaign(h.t.db, { followUpModuleId: moduleId });
});
afterAll(async () => h?.close());

const person = async () => (await buildEmployee(h, hr)).person.id;
const anon = () => h.client();

async function followUps(personId: string) {
  const r = await h.t.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM awareness_assignments WHERE person_id = $1 AND item_id = $2",
    [personId, moduleId],
  );
  return r.rows[0]?.n ?? 0;
}

describe("links that are not ours", () => {
  it("answers a clear 404 page for unknown and malformed tokens and records nothing", async () => {
    const before = (await h.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM phishing_interactions"))
      .rows[0]!.n;
    for (const url of [
      "/t/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "/t/c/short",
      "/t/l/nope-nope-nope-nope-1",
    ]) {
      const res = await anon().get(url, BROWSER);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers["content-type"]).toMatch(/text\/html/);
      expect(res.body).toContain("This link does not work");
    }
    const confirm = await anon().post(
      "/t/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/confirm",
      undefined,
      BROWSER_FETCH,
    );
    expect(confirm.statusCode).toBe(404);
    const pixel = await anon().get("/t/o/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.gif", BROWSER);
    expect(pixel.statusCode).toBe(404);
    const after = (await h.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM phishing_interactions"))
      .rows[0]!.n;
    expect(after).toBe(before);
  });

  it("answers 410 after the tracking period and counts nothing", async () => {
    const old = await seedCampaign(h.t.db, {
      windowStart: new Date(Date.now() - 60 * 86_400_000),
      windowEnd: new Date(Date.now() - 40 * 86_400_000),
      trackDays: 7,
    });
    const pid = await person();
    const r = await seedRecipient(h.t.db, old.id, pid, { sentSecondsAgo: 45 * 86_400 });
    const res = await anon().get(`/t/c/${r.token}`, BROWSER);
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain("no longer active");
    expect(
      (await anon().post(`/t/c/${r.token}/confirm?via=interaction`, undefined, BROWSER_FETCH)).statusCode,
    ).toBe(410);
    expect((await anon().get(`/t/l/${r.token}`, BROWSER)).statusCode).toBe(410);
    const rows = await interactionsOf(h.t.db, r.id);
    expect(rows.map((x) => [x.kind, x.counted, x.filter_reason])).toEqual([
      ["click", false, "expired"],
      ["confirm", false, "expired"],
    ]);
    expect((await stagesOf(h.t.db, r.id)).clicked_at).toBeNull();
    expect(await followUps(pid)).toBe(0);
  });
});

describe("machines never count as people", () => {
  it("filters HEAD, prefetch, scanner ranges, bot agents and too-fast requests, keeping only the shape", async () => {
    const pid = await person();
    const r = await seedRecipient(h.t.db, camp.id, pid);
    const url = `/t/c/${r.token}`;
    expect((await anon().request({ method: "HEAD", url, headers: BROWSER })).statusCode).toBe(200);
    await anon().get(url, { ...BROWSER, "sec-purpose": "prefetch" });
    await anon().request({ method: "GET", url, headers: BROWSER, remoteAddress: "192.0.2.44" });
    await anon().request({
      method: "POST",
      url: `${url}/confirm?via=visible`,
      headers: BROWSER_FETCH,
      remoteAddress: "2001:db8::17",
    });
    await anon().get(url, { "user-agent": "curl/8.5.0", accept: "*/*" });
    await anon().post(`${url}/confirm?via=visible`, undefined, {
      ...BROWSER_FETCH,
      "user-agent":
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
    });
    await anon().post(`${url}/confirm?via=visible&wd=1`, undefined, BROWSER_FETCH);
    const rows = await interactionsOf(h.t.db, r.id);
    expect(rows.map((x) => [x.kind, x.counted, x.filter_reason])).toEqual([
      ["click", false, "head_request"],
      ["click", false, "prefetch"],
      ["click", false, "scanner_range"],
      ["confirm", false, "scanner_range"],
      ["click", false, "bot_agent"],
      ["confirm", false, "bot_agent"],
      ["confirm", false, "bot_agent"],
    ]);
    expect(rows[2]!.shape).toMatchObject({
      method: "GET",
      scannerRange: true,
      agent: "chrome",
      browserHeaders: true,
    });
    expect(rows[4]!.shape).toMatchObject({ agent: "tool", browserHeaders: false });
    // The shape never holds the address or the full user agent.
    expect(JSON.stringify(rows)).not.toContain("192.0.2.44");
    expect(JSON.stringify(rows)).not.toContain("curl/8.5.0");
    expect(await stagesOf(h.t.db, r.id)).toMatchObject({ clicked_at: null, opened_at: null });

    const fresh = await seedRecipient(h.t.db, camp.id, await person(), { sentSecondsAgo: 2 });
    await anon().get(`/t/c/${fresh.token}`, BROWSER);
    await anon().post(`/t/c/${fresh.token}/confirm?via=interaction`, undefined, BROWSER_FETCH);
    const quick = await interactionsOf(h.t.db, fresh.id);
    expect(quick.map((x) => x.filter_reason)).toEqual(["too_fast", "too_fast"]);
    expect((await stagesOf(h.t.db, fresh.id)).clicked_at).toBeNull();
  });

  it("never counts a click the browser did not confirm", async () => {
    const pid = await person();
    const r = await seedRecipient(h.t.db, camp.id, pid);
    const res = await anon().get(`/t/c/${r.token}`, BROWSER);
    expect(res.statusCode).toBe(200);
    const rows = await interactionsOf(h.t.db, r.id);
    expect(rows.map((x) => [x.kind, x.counted, x.filter_reason])).toEqual([
      ["click", false, "not_confirmed"],
    ]);
    expect((await stagesOf(h.t.db, r.id)).clicked_at).toBeNull();
    expect(await followUps(pid)).toBe(0);
  });
});

describe("a person's click", () => {
  it("counts once when the browser confirms it, assigns the follow-up training and keeps repeats as duplicates", async () => {
    const pid = await person();
    const r = await seedRecipient(h.t.db, camp.id, pid);
    const page = await anon().get(`/t/c/${r.token}`, BROWSER);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<script src="../confirm.js" defer></script>');
    expect(page.body).toContain(`action="../s/${r.token}"`);
    expect(page.body).not.toMatch(/<input[^>]*\bname=/);
    expect(String(page.headers["content-security-policy"])).toContain("script-src 'self'");
    expect(page.headers["cache-control"]).toBe("no-store");

    const [a, b] = await Promise.all([
      anon().post(`/t/c/${r.token}/confirm?via=interaction`, undefined, BROWSER_FETCH),
      anon().post(`/t/c/${r.token}/confirm?via=interaction`, undefined, BROWSER_FETCH),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([204, 204]);
    await anon().get(`/t/c/${r.token}`, BROWSER);
    await anon().post(`/t/c/${r.token}/confirm?via=visible`, undefined, BROWSER_FETCH);

    const rows = await interactionsOf(h.t.db, r.id);
    expect(rows.map((x) => [x.kind, x.counted, x.filter_reason])).toEqual([
      ["click", true, null],
      ["confirm", true, null],
      ["confirm", false, "duplicate"],
      ["click", false, "duplicate"],
      ["confirm", false, "duplicate"],
    ]);
    expect(rows[1]!.shape).toMatchObject({ via: "interaction", agent: "chrome" });
    const s = await stagesOf(h.t.db, r.id);
    expect(s.clicked_at).not.toBeNull();
    expect(s.opened_at).not.toBeNull();
    expect(await followUps(pid)).toBe(1);
    const audit = await h.t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'phishing.clicked' AND target_id = $1",
      [r.id],
    );
    expect(audit.rows[0]!.n).toBe(1);
  });

  it("confirms without a CSRF token even when the browser carries a Tandem session", async () => {
    const emp = await buildEmployee(h, hr);
    const r = await seedRecipient(h.t.db, camp.id, emp.person.id);
    await emp.api.get(`/t/c/${r.token}`, BROWSER);
    const res = await emp.api.post(`/t/c/${r.token}/confirm?via=interaction`, undefined, {
      ...BROWSER_FETCH,
      "x-csrf-token": "",
    });
    expect(res.statusCode).toBe(204);
    expect((await stagesOf(h.t.db, r.id)).clicked_at).not.toBeNull();
  });

  it("counts an open once from the pixel", async () => {
    const r = await seedRecipient(h.t.db, camp.id, await person());
    const first = await anon().get(`/t/o/${r.token}.gif`, BROWSER);
    expect(first.statusCode).toBe(200);
    expect(first.headers["content-type"]).toBe("image/gif");
    await anon().get(`/t/o/${r.token}.gif`, BROWSER);
    const rows = await interactionsOf(h.t.db, r.id);
    expect(rows.map((x) => [x.kind, x.counted, x.filter_reason])).toEqual([
      ["open", true, null],
      ["open", false, "duplicate"],
    ]);
    expect((await stagesOf(h.t.db, r.id)).opened_at).not.toBeNull();
  });

  it("serves the confirmation script from the same origin", async () => {
    const res = await anon().get("/t/confirm.js");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.body).toContain("/confirm?via=");
  });
});

describe("the look-alike form", () => {
  it("records the fact of a submission only: a posted password is stored nowhere", async () => {
    const pid = await person();
    const r = await seedRecipient(h.t.db, camp.id, pid);
    const secret = `Sup3r-Secret-${Date.now()}-Pa55`;
    const res = await anon().request({
      method: "POST",
      url: `/t/s/${r.token}`,
      headers: {
        ...BROWSER,
        "content-type": "application/x-www-form-urlencoded",
        origin: "http://127.0.0.1:3000",
      },
      payload: `email=victim%40corp.test&password=${encodeURIComponent(secret)}`,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`../l/${r.token}`);
    const json = await anon().request({
      method: "POST",
      url: `/t/s/${r.token}`,
      headers: { ...BROWSER, "content-type": "application/json" },
      payload: JSON.stringify({ password: secret }),
    });
    expect(json.statusCode).toBe(303);

    const s = await stagesOf(h.t.db, r.id);
    expect(s.submitted_at).not.toBeNull();
    expect(s.clicked_at).not.toBeNull();
    expect(await followUps(pid)).toBe(1);
    const rows = await interactionsOf(h.t.db, r.id);
    expect(rows.map((x) => [x.kind, x.counted, x.filter_reason])).toEqual([
      ["submit", true, null],
      ["submit", false, "duplicate"],
    ]);

    // Dump every table of this database (and the job queue's) and look for the password.
    const tables = await h.t.db.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
         AND ($1::boolean IS FALSE OR table_schema = current_schema() OR table_schema = current_schema() || '_boss')`,
      [onPostgres],
    );
    expect(tables.rows.length).toBeGreaterThan(20);
    let rowsSeen = 0;
    for (const t of tables.rows) {
      const dump = await h.t.db.query<{ row: string }>(
        `SELECT x::text AS row FROM "${t.table_schema}"."${t.table_name}" x`,
      );
      rowsSeen += dump.rows.length;
      for (const d of dump.rows) {
        expect(d.row, `${t.table_schema}.${t.table_name}`).not.toContain(secret);
        expect(d.row, `${t.table_schema}.${t.table_name}`).not.toContain("victim%40corp.test");
      }
    }
    expect(rowsSeen).toBeGreaterThan(50);
  });

  it("shows the teachable moment with the lesson escaped and links to the training", async () => {
    const c = await seedCampaign(h.t.db, {
      lessonMd: "## Signs\n\n- The link went to `mail-login.example`\n- <script>alert(1)</script>",
    });
    const r = await seedRecipient(h.t.db, c.id, await person());
    const res = await anon().get(`/t/l/${r.token}`, BROWSER);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("This was a phishing simulation");
    expect(res.body).toContain("<code>mail-login.example</code>");
    expect(res.body).not.toContain("<script>alert(1)</script>");
    expect(res.body).toContain("&lt;script&gt;");
    expect(res.body).toContain(`${h.config.publicUrl}/awareness`);
    expect(res.body).toContain("mailto:report@localhost");
    // Reading the lesson is not an interaction.
    expect(await interactionsOf(h.t.db, r.id)).toEqual([]);
  });

  it("goes straight to the teachable moment for a notice landing page", async () => {
    const c = await seedCampaign(h.t.db, { landingKind: "notice" });
    const r = await seedRecipient(h.t.db, c.id, await person());
    const res = await anon().get(`/t/c/${r.token}`, BROWSER);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("This was a phishing simulation");
    expect(res.body).toContain('<script src="../confirm.js" defer></script>');
    expect(res.body).not.toContain("<form");
  });
});

// Debian's Chromium, kept from reaching anything but the test's server.
const QUIET = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe("in a real browser", () => {
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    await h.t.app.listen({ host: "127.0.0.1", port: 0 });
    const addr = h.t.app.server.address() as AddressInfo;
    origin = `http://127.0.0.1:${addr.port}`;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-blink-features=AutomationControlled",
      ],
    });
  }, 60_000);
  afterAll(async () => browser?.close());

  it("counts a person's click once the page's script confirms it, and keeps nothing typed into the form", async () => {
    const pid = await person();
    const r = await seedRecipient(h.t.db, camp.id, pid);
    const context = await browser.newContext({ userAgent: BROWSER["user-agent"], locale: "en-GB" });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${origin}/t/c/${r.token}`);
    await page.mouse.move(40, 60);
    await page.mouse.move(120, 160);
    const clicked = await eventually(
      "the click confirmed",
      async () => (await stagesOf(h.t.db, r.id)).clicked_at ?? undefined,
      20_000,
    );
    expect(clicked).toBeInstanceOf(Date);
    const secret = `Browser-Typed-${Date.now()}`;
    await page.fill("#u", "someone@corp.test");
    await page.fill("#p", secret);
    await page.click("button[type=submit]");
    await page.waitForURL(`${origin}/t/l/${r.token}`);
    expect(await page.textContent("h1")).toContain("Let's look at that mail together");
    await context.close();
    expect(problems).toEqual([]);
    const rows = await interactionsOf(h.t.db, r.id);
    expect(rows.filter((x) => x.counted).map((x) => x.kind)).toEqual(["click", "confirm", "submit"]);
    expect(rows.find((x) => x.kind === "confirm")?.shape).toMatchObject({
      agent: "chrome",
      browserHeaders: true,
    });
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(await followUps(pid)).toBe(1);
  }, 60_000);

  it("does not count a headless browser driven by automation", async () => {
    const automated = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: QUIET,
    });
    try {
      const r = await seedRecipient(h.t.db, camp.id, await person());
      const page = await automated.newPage();
      await page.goto(`${origin}/t/c/${r.token}`);
      await page.mouse.move(50, 50);
      const confirm = await eventually(
        "the confirmation recorded",
        async () => (await interactionsOf(h.t.db, r.id)).find((x) => x.kind === "confirm"),
        20_000,
      );
      expect(confirm).toMatchObject({ counted: false, filter_reason: "bot_agent" });
      expect((await stagesOf(h.t.db, r.id)).clicked_at).toBeNull();
    } finally {
      await automated.close();
    }
  }, 60_000);
});

describe("rate limits", () => {
  it("limits the public routes per source address", async () => {
    const small = await startTestApp({ TANDEM_RATE_LIMIT_PER_MINUTE: "3" });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push(
          (await small.client().get("/t/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", BROWSER)).statusCode,
        );
      expect(codes).toEqual([404, 404, 404, 429, 429]);
      const other = await small.client().request({
        method: "GET",
        url: "/t/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        headers: BROWSER,
        remoteAddress: "10.9.8.7",
      });
      expect(other.statusCode).toBe(404);
    } finally {
      await small.close();
    }
  });
});
