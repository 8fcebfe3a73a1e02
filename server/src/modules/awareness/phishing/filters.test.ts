import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../platform/config/index.js";
import { agentFamily, classify, inRanges, isPrefetch, scannerRanges } from "./filters.js";

const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const browser = {
  "user-agent": CHROME,
  accept: "text/html",
  "accept-language": "en",
  "sec-fetch-mode": "navigate",
};
const settings = {
  ranges: scannerRanges(["203.0.113.0/24", "198.51.100.7", "2001:db8:aa::/48"]),
  minSeconds: 10,
};
const hourAgo = new Date(Date.now() - 3_600_000);

describe("scanner ranges", () => {
  it("matches IPv4, IPv6 and IPv4-mapped addresses against the configured CIDR list", () => {
    expect(inRanges(settings.ranges, "203.0.113.200")).toBe(true);
    expect(inRanges(settings.ranges, "203.0.114.1")).toBe(false);
    expect(inRanges(settings.ranges, "198.51.100.7")).toBe(true);
    expect(inRanges(settings.ranges, "198.51.100.8")).toBe(false);
    expect(inRanges(settings.ranges, "::ffff:203.0.113.9")).toBe(true);
    expect(inRanges(settings.ranges, "2001:db8:aa:1::5")).toBe(true);
    expect(inRanges(settings.ranges, "2001:db8:ab::5")).toBe(false);
    expect(inRanges(settings.ranges, "not an address")).toBe(false);
  });

  it("refuses a bad range at start-up, naming the variable", () => {
    expect(() => loadConfig({ TANDEM_PHISHING_SCANNER_RANGES: "10.0.0.0/8, 300.1.1.0/24" })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ TANDEM_PHISHING_SCANNER_RANGES: "10.0.0.0/33" })).toThrow(
      /TANDEM_PHISHING_SCANNER_RANGES/,
    );
    expect(
      loadConfig({ TANDEM_PHISHING_SCANNER_RANGES: "10.0.0.0/8,2001:db8::/32" })
        .TANDEM_PHISHING_SCANNER_RANGES,
    ).toEqual(["10.0.0.0/8", "2001:db8::/32"]);
    expect(loadConfig({}).TANDEM_PHISHING_SCANNER_RANGES).toEqual([]);
    expect(loadConfig({}).TANDEM_PHISHING_MIN_SECONDS).toBe(10);
  });
});

describe("user agents and prefetch", () => {
  it("tells browsers from bots, tools and Office's link checks", () => {
    expect(agentFamily(CHROME)).toBe("chrome");
    expect(
      agentFamily(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
      ),
    ).toBe("safari");
    expect(agentFamily("Mozilla/5.0 (Windows NT 10.0; rv:133.0) Gecko/20100101 Firefox/133.0")).toBe(
      "firefox",
    );
    expect(agentFamily(`${CHROME} Edg/131.0.0.0`)).toBe("edge");
    expect(agentFamily("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")).toBe("bot");
    expect(agentFamily("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")).toBe(
      "bot",
    );
    expect(agentFamily(`${CHROME.replace("Chrome", "HeadlessChrome")}`)).toBe("bot");
    expect(agentFamily("Microsoft Office Existence Discovery")).toBe("bot");
    expect(agentFamily("python-requests/2.32.3")).toBe("tool");
    expect(agentFamily("Mozilla/4.0 (compatible; ms-office; MSOffice 16)")).toBe("office");
    expect(agentFamily("")).toBe("none");
    expect(isPrefetch({ "sec-purpose": "prefetch;prerender" })).toBe(true);
    expect(isPrefetch({ purpose: "prefetch" })).toBe(true);
    expect(isPrefetch({ "x-purpose": "preview" })).toBe(true);
    expect(isPrefetch({ accept: "text/html" })).toBe(false);
  });

  it("lets Office load the open pixel but never count a click", () => {
    const office = {
      method: "GET",
      ip: "192.168.1.5",
      headers: { "user-agent": "Mozilla/4.0 (compatible; ms-office; MSOffice 16)" },
    };
    expect(classify("open", office, hourAgo, new Date(), settings).reason).toBeNull();
    expect(classify("click", office, hourAgo, new Date(), settings).reason).toBe("bot_agent");
  });
});

describe("classify", () => {
  const req = (over: Partial<{ method: string; ip: string; headers: Record<string, string> }> = {}) => ({
    method: "GET",
    ip: "192.168.1.5",
    headers: browser,
    ...over,
  });

  it("lets a browser through and records the shape only", () => {
    const { shape, reason } = classify("click", req(), hourAgo, new Date(), settings);
    expect(reason).toBeNull();
    expect(shape).toEqual({
      method: "GET",
      browserHeaders: true,
      agent: "chrome",
      secondsSinceSent: 3600,
      scannerRange: false,
    });
  });

  it("checks HEAD, prefetch, range, agent and timing in that order", () => {
    const now = new Date();
    expect(classify("click", req({ method: "HEAD", ip: "203.0.113.1" }), hourAgo, now, settings).reason).toBe(
      "head_request",
    );
    expect(
      classify(
        "click",
        req({ ip: "203.0.113.1", headers: { ...browser, purpose: "prefetch" } }),
        hourAgo,
        now,
        settings,
      ).reason,
    ).toBe("prefetch");
    expect(classify("click", req({ ip: "203.0.113.1" }), hourAgo, now, settings).reason).toBe(
      "scanner_range",
    );
    expect(
      classify(
        "click",
        req({ headers: { "user-agent": "curl/8" } }),
        new Date(now.getTime() - 1000),
        now,
        settings,
      ).reason,
    ).toBe("bot_agent");
    expect(classify("confirm", req(), new Date(now.getTime() - 9_000), now, settings).reason).toBe(
      "too_fast",
    );
    expect(classify("confirm", req(), new Date(now.getTime() - 11_000), now, settings).reason).toBeNull();
  });
});
