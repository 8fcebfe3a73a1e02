import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
// oidc-provider ships no type declarations; the few parts used here are typed below.
// @ts-expect-error TS7016: untyped ESM package (a devDependency used only by tests)
import ProviderModule from "oidc-provider";

/** A person the test identity provider knows. `sub` is also the login name. */
export interface TestAccount {
  sub: string;
  email: string;
  /** Defaults to true; "omit" leaves the claim out entirely. */
  email_verified?: boolean | "omit";
  name?: string;
}

export interface TestOidcProvider {
  /** The issuer identifier, e.g. http://127.0.0.1:41234 */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Adds or replaces an account while the provider runs. */
  addAccount: (account: TestAccount) => void;
  close: () => Promise<void>;
}

interface InteractionDetails {
  uid: string;
  prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[] } };
  params: { client_id?: string; scope?: string };
  grantId?: string;
  session?: { accountId?: string };
}

interface Grant {
  addOIDCScope: (scope: string) => void;
  addOIDCClaims: (claims: string[]) => void;
  save: () => Promise<string>;
}

interface Provider {
  callback: () => http.RequestListener;
  interactionDetails: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<InteractionDetails>;
  interactionFinished: (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    result: Record<string, unknown>,
    opts?: { mergeWithLastSubmission?: boolean },
  ) => Promise<void>;
  Grant: {
    new (init: { accountId: string; clientId: string }): Grant;
    find: (id: string) => Promise<Grant | undefined>;
  };
}

const ProviderClass = ProviderModule as new (issuer: string, config: Record<string, unknown>) => Provider;

const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string, error?: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in to the test identity provider</title></head>
<body>
<main>
<h1>Sign in</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="login">Account</label>
<input id="login" name="login" autocomplete="username" required>
<button type="submit">Continue</button>
</form>
</main>
</body>
</html>`;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) throw new Error("form too large");
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/**
 * Starts a real OpenID Connect provider on 127.0.0.1 (an ephemeral port) with one
 * confidential client, PKCE required, and a login step that needs no human:
 * GET /interaction/<uid>?login=<sub> signs the account in and grants
 * `openid email profile`; without `login` the page shows a small form (Account + Continue)
 * that a browser test can fill in.
 */
export async function startOidcProvider(opts: {
  redirectUris: string[];
  accounts: TestAccount[];
  tokenEndpointAuthMethod?: "client_secret_post" | "client_secret_basic";
}): Promise<TestOidcProvider> {
  const accounts = new Map(opts.accounts.map((a) => [a.sub, a]));
  const lookup = (login: string) =>
    accounts.get(login) ?? [...accounts.values()].find((a) => a.email.toLowerCase() === login.toLowerCase());

  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const clientId = "tandem";
  const clientSecret = randomBytes(24).toString("base64url");
  const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });

  const provider = new ProviderClass(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: opts.tokenEndpointAuthMethod ?? "client_secret_post",
      },
    ],
    jwks: { keys: [{ ...jwk, kid: randomBytes(8).toString("hex"), use: "sig", alg: "RS256" }] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name"],
    },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Grant: 3600,
      Session: 3600,
    },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: account.email,
            ...(account.email_verified === "omit" ? {} : { email_verified: account.email_verified ?? true }),
            ...(account.name ? { name: account.name } : {}),
          };
        },
      };
    },
  });
  const providerHandler = provider.callback();

  /** Signs `login` in and grants what the authorization request asked for. */
  async function finish(req: http.IncomingMessage, res: http.ServerResponse, uid: string, login: string) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error("interaction mismatch");
    const account = lookup(login);
    if (!account) {
      res.statusCode = 400;
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(loginPage(uid, "Unknown account"));
      return;
    }
    const sameAccount = details.session?.accountId === account.sub;
    const grant =
      (sameAccount && details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
      new provider.Grant({ accountId: account.sub, clientId: details.params.client_id ?? clientId });
    grant.addOIDCScope("openid email profile");
    const missing = details.prompt.details;
    if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  handler = (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const m = INTERACTION.exec(url.pathname);
    if (!m) {
      providerHandler(req, res);
      return;
    }
    const uid = m[1] as string;
    const isPost = !!m[2];
    (async () => {
      if (isPost) {
        if (req.method !== "POST") {
          res.statusCode = 405;
          res.end();
          return;
        }
        const form = await readForm(req);
        await finish(req, res, uid, form.get("login") ?? "");
        return;
      }
      const login = url.searchParams.get("login");
      if (login !== null) {
        await finish(req, res, uid, login);
        return;
      }
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid) throw new Error("interaction mismatch");
      res.statusCode = 200;
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.setHeader("cache-control", "no-store");
      res.end(loginPage(uid));
    })().catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.statusCode = 400;
      res.setHeader("content-type", "text/plain; charset=utf-8");
      res.end(`interaction failed: ${(err as Error).message}`);
    });
  };

  return {
    issuer,
    clientId,
    clientSecret,
    addAccount: (account) => {
      accounts.set(account.sub, account);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
