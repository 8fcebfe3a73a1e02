/**
 * The pages a recipient sees: the look-alike sign-in page (its inputs have no names, so a
 * browser sends nothing typed into them), the teachable moment, and plain pages for links
 * that are unknown or no longer tracked. Everything from templates or requests is escaped;
 * the only script is the external /t/confirm.js, allowed by the server's CSP. Links between
 * the pages are relative, so they also work when Tandem is served under a path.
 */
import { escapeHtml } from "../markdown.js";

const STYLE = `
  body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f3f4f6; color: #1f2937; }
  main { max-width: 34rem; margin: 3rem auto; background: #fff; border-radius: 8px; padding: 2rem; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  h2 { font-size: 1.1rem; margin-top: 1.6rem; }
  label { display: block; font-size: .9rem; margin: 1rem 0 .3rem; }
  input { width: 100%; box-sizing: border-box; padding: .6rem; border: 1px solid #9ca3af; border-radius: 4px; font-size: 1rem; }
  button, .button { display: inline-block; margin-top: 1.2rem; padding: .65rem 1.2rem; background: #1d4ed8; color: #fff; border: 0; border-radius: 4px; font-size: 1rem; text-decoration: none; cursor: pointer; }
  .muted { color: #4b5563; font-size: .9rem; }
  .banner { background: #fef3c7; border-left: 4px solid #d97706; padding: .8rem 1rem; margin-bottom: 1.2rem; }
`;

function page(title: string, body: string, opts: { script?: boolean; lang?: string } = {}): string {
  return `<!doctype html>
<html lang="${escapeHtml(opts.lang ?? "en")}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${opts.script ? '<script src="../confirm.js" defer></script>' : ""}
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The look-alike sign-in page. The form posts nothing but the fact that it was sent. */
export function loginPage(token: string, title: string): string {
  const heading = title.trim() || "Sign in to continue";
  return page(
    heading,
    `<h1>${escapeHtml(heading)}</h1>
<p class="muted">Your session has expired. Sign in again to open the document.</p>
<form method="post" action="../s/${escapeHtml(token)}" autocomplete="off">
  <label for="u">E-mail address</label>
  <input id="u" type="email" autocomplete="off" spellcheck="false">
  <label for="p">Password</label>
  <input id="p" type="password" autocomplete="off">
  <button type="submit">Sign in</button>
</form>`,
    { script: true },
  );
}

export interface Lesson {
  /** The template's lesson, already rendered from Markdown (renderMarkdown escapes it). */
  lessonHtml: string;
  reportAddress: string;
  trainingUrl: string;
  reportUrl: string;
  /** The mail led to a sign-in page: say that nothing typed there was kept. */
  submitted?: boolean;
}

/** The teachable moment: what happened, the signs to look for, how to report next time. */
export function lessonPage(l: Lesson, opts: { script?: boolean } = {}): string {
  return page(
    "This was a phishing simulation",
    `<div class="banner" role="note"><strong>This was a phishing simulation by your security team.</strong>
Nothing bad has happened${l.submitted ? ": nothing typed into that sign-in page was sent to us or stored anywhere" : ""}.</div>
<h1>Let's look at that mail together</h1>
<p>Mails like this one are how most break-ins start. These are the signs that could have given it away:</p>
<section>${l.lessonHtml}</section>
<h2>Next time: report it</h2>
<p>If a mail looks odd, do not click. Forward it as an attachment to
<a href="mailto:${escapeHtml(l.reportAddress)}">${escapeHtml(l.reportAddress)}</a>,
or use <a href="${escapeHtml(l.reportUrl)}">Report something</a> in Tandem. Reporting takes a minute,
and a quick report helps protect everyone.</p>
<h2>A short training</h2>
<p>A short training on spotting phishing is waiting for you under My training &amp; policies.</p>
<p><a class="button" href="${escapeHtml(l.trainingUrl)}">Open my training</a></p>`,
    opts,
  );
}

export function notFoundPage(): string {
  return page(
    "Link not found",
    `<h1>This link does not work</h1>
<p>The address is not complete or not known. If it came in a mail you did not expect, please report that mail to your security team.</p>`,
  );
}

export function gonePage(): string {
  return page(
    "Link no longer active",
    `<h1>This link is no longer active</h1>
<p>It belonged to a security awareness exercise that has ended. Nothing was recorded.</p>`,
  );
}

/**
 * The landing page's script: it tells the server a browser showed the page, after the
 * person interacted with it or it was visible for a few seconds. Machines that fetch links
 * usually run no scripts; those that do are caught by timing, agent and ranges.
 */
export const CONFIRM_JS = `(function () {
  "use strict";
  var m = /\\/t\\/c\\/[A-Za-z0-9_-]{16,128}$/.exec(window.location.pathname);
  if (!m) return;
  var sent = false;
  function confirm(via) {
    if (sent) return;
    sent = true;
    var url = window.location.pathname + "/confirm?via=" + via + (navigator.webdriver ? "&wd=1" : "");
    try {
      fetch(url, { method: "POST", credentials: "omit", keepalive: true });
    } catch (e) {
      /* nothing to do */
    }
  }
  ["pointermove", "pointerdown", "keydown", "touchstart", "scroll"].forEach(function (name) {
    window.addEventListener(name, function () { confirm("interaction"); }, { once: true, passive: true });
  });
  var timer = null;
  function watch() {
    if (document.visibilityState === "visible") {
      if (!timer) timer = setTimeout(function () { confirm("visible"); }, 3000);
    } else if (timer) {
      clearTimeout(timer);
      timer = null;
    }
  }
  document.addEventListener("visibilitychange", watch);
  watch();
})();
`;

/** A transparent 1×1 GIF (the open pixel). */
export const PIXEL = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
