/** The few HTTP calls the benchmarks make to Tandem before loading it, over real HTTP. */

/** Cookie header value (name=value) of the session cookie a response sets. */
function sessionCookie(res: Response): string | undefined {
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(";")[0] ?? "";
    if (pair.startsWith("tandem_session=") && pair.length > "tandem_session=".length) return pair;
  }
  return undefined;
}

/** Signs in the way the web app does (CSRF token first, then email and password); returns the cookie. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const pre = await fetch(`${base}/api/v1/auth/csrf`);
  const preCookie = sessionCookie(pre);
  const { csrfToken } = (await pre.json()) as { csrfToken: string };
  if (!preCookie) throw new Error(`GET /api/v1/auth/csrf set no session cookie (status ${pre.status})`);
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { cookie: preCookie, "x-csrf-token": csrfToken, "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { status?: string };
  const cookie = sessionCookie(res);
  if (res.status !== 200 || body.status !== "ok" || !cookie) {
    throw new Error(`sign-in failed: HTTP ${res.status} ${JSON.stringify(body)}`);
  }
  return cookie;
}

/** A benchmark only counts if the request it repeats answers what it claims to. */
export async function expectOk(
  url: string,
  headers: Record<string, string>,
  mustContain?: string,
): Promise<void> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 200)}`);
  if (mustContain && !text.includes(mustContain)) throw new Error(`GET ${url} did not answer ${mustContain}`);
}
