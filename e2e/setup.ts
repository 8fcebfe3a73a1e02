import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import { buildApp, ROOT, type Tandem } from "../server/src/app.js";
import { loadConfig } from "../server/src/platform/config/index.js";
import { createLogger } from "../server/src/platform/log/index.js";
import { onPostgres, tempDir, testDatabase } from "../server/src/test/harness.js";

export const SCREENSHOTS = path.join(ROOT, "docs/screenshots");
export const VIEWPORT = { width: 1280, height: 800 };

/** A port that is free right now on 127.0.0.1, so the public URL is known before start-up. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface E2eServer {
  t: Tandem;
  /** e.g. http://127.0.0.1:41234 (also TANDEM_PUBLIC_URL) */
  url: string;
  close: () => Promise<void>;
}

/**
 * Starts Tandem the way `tandem serve` does: a temporary data directory with embedded PGlite
 * (or a fresh schema on PostgreSQL when TANDEM_TEST_DB=postgres), background jobs on, the
 * built web app, listening on 127.0.0.1.
 */
export async function startTandem(opts: { port?: number; env?: Record<string, string> } = {}) {
  const dataDir = tempDir("tandem-e2e-");
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  // A private copy of the built web app: a rebuild of web/dist during the run cannot pull
  // files from under the browser.
  const webDir = path.join(dataDir, "web");
  fs.cpSync(path.join(ROOT, "web/dist"), webDir, { recursive: true });
  const env: Record<string, string> = {
    TANDEM_DATA_DIR: dataDir,
    TANDEM_HOST: "127.0.0.1",
    TANDEM_PORT: String(port),
    TANDEM_PUBLIC_URL: url,
    TANDEM_LOG_LEVEL: "silent",
    TANDEM_JOBS: "true",
    TANDEM_WEB_DIR: webDir,
    // Sign-in rate limits are tested elsewhere; the journeys sign in many times a minute.
    TANDEM_AUTH_RATE_LIMIT_PER_MINUTE: "10000",
    ...opts.env,
  };
  const database = onPostgres ? await testDatabase() : undefined;
  const config = loadConfig(env);
  const t = await buildApp(config, {
    db: database?.db,
    jobsSchema: database?.schema ? `${database.schema}_boss` : undefined,
    log: createLogger("silent"),
    env,
  });
  await t.app.listen({ host: "127.0.0.1", port });
  const server: E2eServer = {
    t,
    url,
    async close() {
      await t.close();
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Debian's Chromium driven by playwright-core. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!fs.existsSync(executablePath)) {
    throw new Error(
      `Chromium was not found at ${executablePath}. Install it with \`apt-get install chromium\` ` +
        "(or point CHROMIUM_PATH at a Chromium binary).",
    );
  }
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export interface GuardedPage {
  context: BrowserContext;
  page: Page;
  /** Requests refused because they would have left the machine. */
  blocked: string[];
  /** Uncaught errors thrown in the page. */
  errors: string[];
  /** Closes the context and fails when something was blocked or the page threw. */
  close: () => Promise<void>;
}

/**
 * A fresh browser profile (no cookies) at 1280×800 whose requests may only reach
 * 127.0.0.1/localhost; everything else is aborted and fails the test on close.
 */
export async function openPage(browser: Browser, baseURL: string): Promise<GuardedPage> {
  const context = await browser.newContext({
    baseURL,
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    locale: "en-GB",
    timezoneId: "UTC",
  });
  context.setDefaultTimeout(30_000);
  const blocked: string[] = [];
  const errors: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || LOCAL_HOSTS.has(url.hostname)) {
      return route.continue();
    }
    blocked.push(url.href);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  page.on("pageerror", (err) => errors.push(err.message));
  return {
    context,
    page,
    blocked,
    errors,
    async close() {
      await context.close();
      expect(blocked, "requests that tried to leave the machine").toEqual([]);
      expect(errors, "uncaught errors in the page").toEqual([]);
    },
  };
}

/** Waits until CSS transitions and finite animations (dialogs opening, menus) have finished. */
export async function settle(page: Page): Promise<void> {
  // Two frames first: a dialog opened by the last click starts its transition a frame later.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every((a) => a.playState !== "running" || a.effect?.getComputedTiming().iterations === Infinity),
  );
}

/** Runs axe (WCAG 2.0/2.1 A and AA) on the page as it is now and fails listing every violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  await settle(page);
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(results.passes.length, `axe checked nothing on ${what}`).toBeGreaterThan(0);
  const violations = results.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? "?"}): ${v.help}\n${v.nodes
        .map((n) => `    at ${n.target.join(" ")}: ${n.failureSummary ?? ""}`)
        .join("\n")}`,
  );
  expect(violations, `accessibility violations on ${what}`).toEqual([]);
}

/** A 1280×800 PNG of the viewport into docs/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await settle(page);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, name);
  await page.screenshot({ path: file, type: "png", animations: "disabled", caret: "hide" });
  return file;
}

/** Polls `check` until it returns a truthy value (or throws the last reason after `timeout` ms). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  { timeout = 15_000, interval = 100 } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
