/**
 * A small SCIM 2.0 client (RFC 7644) over fetch: Users and Groups with list (filter, all
 * pages), get, create, replace, patch and delete; Bulk; bearer auth; ETags; 429/503 answered
 * with Retry-After retried a bounded number of times; SCIM errors parsed into ScimClientError.
 */

export const SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const SCIM_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const SCIM_ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const SCIM_PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const SCIM_BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

export interface ScimMeta {
  resourceType?: string;
  created?: string;
  lastModified?: string;
  location?: string;
  version?: string;
}

export interface ScimResource {
  schemas: string[];
  id: string;
  externalId?: string;
  meta?: ScimMeta;
  [attribute: string]: unknown;
}

export interface ScimUser extends ScimResource {
  userName: string;
  name?: { formatted?: string; givenName?: string; familyName?: string };
  displayName?: string;
  nickName?: string;
  active?: boolean;
  emails?: { value: string; type?: string; primary?: boolean }[];
}

export interface ScimGroup extends ScimResource {
  displayName: string;
  members?: { value: string; display?: string; type?: string; $ref?: string }[];
}

/** What a create or replace sends: a resource without the server's id and meta. */
export type ScimInput<T extends ScimResource> = Omit<T, "id" | "meta"> & { id?: string };

export interface ScimListResponse<T> {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}

export interface ScimPatchOp {
  op: "add" | "replace" | "remove";
  path?: string;
  value?: unknown;
}

/** One operation of a Bulk request (RFC 7644 §3.7); `path` is relative to the base URL. */
export interface ScimBulkOperation {
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  bulkId?: string;
  version?: string;
  data?: unknown;
}

/** What the app reports for one operation of a Bulk request. */
export interface ScimBulkResult {
  method?: string;
  bulkId?: string;
  version?: string;
  location?: string;
  /** The operation's HTTP status: a string per RFC 7644, a number or { code } from some apps. */
  status?: string | number | { code?: string | number };
  /** The error (a SCIM Error message) when the operation failed. */
  response?: unknown;
}

export interface ScimBulkResponse {
  schemas: string[];
  Operations: ScimBulkResult[];
}

/** A Bulk result's status as a number (0 when the app gave none that reads as one). */
export function bulkStatus(result: ScimBulkResult): number {
  const s = result.status;
  const code = s && typeof s === "object" ? s.code : s;
  const n = Number(code);
  return Number.isInteger(n) ? n : 0;
}

export interface ListOptions {
  filter?: string;
  startIndex?: number;
  count?: number;
  attributes?: string[];
  excludedAttributes?: string[];
}

export interface ScimClientOptions {
  /** The SCIM base URL, e.g. https://example.com/scim/v2 */
  baseUrl: string;
  /** A bearer token, or a function returning one (for tokens that expire). */
  token: string | (() => string | Promise<string>);
  /** Retries after 429 or 503 (each waiting Retry-After); default 3. */
  maxRetries?: number;
  /** The longest Retry-After the client waits itself (seconds); longer ones fail at once. Default 30. */
  maxRetryAfterSeconds?: number;
  /** Wait when a 429/503 has no Retry-After (seconds); default 1. */
  defaultRetryAfterSeconds?: number;
  /** Per-request timeout (ms); default 30 000. */
  timeoutMs?: number;
  /** Page size when listing every page; default 100. */
  pageSize?: number;
  /** Safety stop for list-all (pages); default 1000. */
  maxPages?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** A SCIM error answer (or a transport failure, status 0), with what the server said. */
export class ScimClientError extends Error {
  constructor(
    public readonly status: number,
    public readonly detail: string,
    public readonly scimType?: string,
    /** Seconds the server asked to wait (429/503), when it said so. */
    public readonly retryAfterSeconds?: number,
    public readonly body?: unknown,
  ) {
    super(`SCIM ${status}${scimType ? ` ${scimType}` : ""}: ${detail}`);
    this.name = "ScimClientError";
  }
}

/** Retry-After as seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

async function errorFrom(res: Response): Promise<ScimClientError> {
  const text = await res.text().catch(() => "");
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  const retryAfter = parseRetryAfter(res.headers.get("retry-after"));
  if (body && typeof body === "object") {
    const b = body as {
      schemas?: string[];
      status?: string | number;
      scimType?: string;
      detail?: string;
      title?: string;
    };
    if (b.schemas?.includes(SCIM_ERROR) || b.scimType !== undefined || b.detail !== undefined) {
      const status = Number(b.status) || res.status;
      return new ScimClientError(status, b.detail ?? b.title ?? res.statusText, b.scimType, retryAfter, body);
    }
  }
  return new ScimClientError(res.status, text.slice(0, 500) || res.statusText, undefined, retryAfter, body);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ScimClient {
  readonly users: ScimResourceClient<ScimUser>;
  readonly groups: ScimResourceClient<ScimGroup>;
  private readonly base: string;

  constructor(private readonly opts: ScimClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, "");
    this.users = new ScimResourceClient<ScimUser>(this, "Users");
    this.groups = new ScimResourceClient<ScimGroup>(this, "Groups");
  }

  get pageSize() {
    return this.opts.pageSize ?? 100;
  }
  get maxPages() {
    return this.opts.maxPages ?? 1000;
  }

  /** One request with auth, SCIM content type, timeout and bounded 429/503 retries. */
  async request(
    method: string,
    path: string,
    o: { query?: Record<string, string | number | undefined>; body?: unknown; ifMatch?: string } = {},
  ): Promise<Response> {
    const url = new URL(`${this.base}${path}`);
    for (const [k, v] of Object.entries(o.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const token = typeof this.opts.token === "function" ? await this.opts.token() : this.opts.token;
    const headers: Record<string, string> = {
      accept: "application/scim+json, application/json;q=0.9",
      authorization: `Bearer ${token}`,
      ...this.opts.headers,
    };
    if (o.body !== undefined) headers["content-type"] = "application/scim+json";
    if (o.ifMatch) headers["if-match"] = o.ifMatch;
    const doFetch = this.opts.fetch ?? fetch;
    const maxRetries = this.opts.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(url, {
          method,
          headers,
          body: o.body === undefined ? undefined : JSON.stringify(o.body),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (e) {
        const failure = new ScimClientError(0, `${method} ${url.pathname} failed: ${(e as Error).message}`);
        failure.cause = e; // tells a refused connection from an untrusted certificate
        throw failure;
      }
      if (res.ok || res.status === 304) return res;
      if (res.status !== 429 && res.status !== 503) throw await errorFrom(res);
      const err = await errorFrom(res);
      const wait = err.retryAfterSeconds ?? this.opts.defaultRetryAfterSeconds ?? 1;
      if (attempt >= maxRetries || wait > (this.opts.maxRetryAfterSeconds ?? 30)) throw err;
      await sleep(wait * 1000);
    }
  }

  async json<T>(
    method: string,
    path: string,
    o: { query?: Record<string, string | number | undefined>; body?: unknown; ifMatch?: string } = {},
  ): Promise<T> {
    const res = await this.request(method, path, o);
    if (res.status === 204 || res.status === 304) return undefined as T;
    const value = (await res.json()) as T;
    // Keep the ETag header on the resource when the body lacks meta.version.
    const etag = res.headers.get("etag");
    if (etag && value && typeof value === "object" && "id" in value) {
      const r = value as unknown as ScimResource;
      r.meta = { ...r.meta, version: r.meta?.version ?? etag };
    }
    return value;
  }

  /**
   * POST /Bulk with the operations, in the order given. `failOnErrors` unset: the app carries
   * on after a failed operation. A 429/503 for the request as a whole is waited out and
   * retried as any request is; each operation's own outcome is in the response.
   */
  bulk(operations: ScimBulkOperation[], o: { failOnErrors?: number } = {}): Promise<ScimBulkResponse> {
    return this.json("POST", "/Bulk", {
      body: {
        schemas: [SCIM_BULK_REQUEST],
        ...(o.failOnErrors ? { failOnErrors: o.failOnErrors } : {}),
        Operations: operations,
      },
    });
  }

  serviceProviderConfig(): Promise<Record<string, unknown>> {
    return this.json("GET", "/ServiceProviderConfig");
  }
  schemas(): Promise<ScimListResponse<Record<string, unknown> & { id: string }>> {
    return this.json("GET", "/Schemas");
  }
  resourceTypes(): Promise<ScimListResponse<Record<string, unknown> & { id: string }>> {
    return this.json("GET", "/ResourceTypes");
  }
}

/** The operations on one resource endpoint (/Users or /Groups). */
export class ScimResourceClient<T extends ScimResource> {
  constructor(
    private readonly client: ScimClient,
    readonly endpoint: string,
  ) {}

  /** One page. */
  page(o: ListOptions = {}): Promise<ScimListResponse<T>> {
    return this.client.json("GET", `/${this.endpoint}`, {
      query: {
        filter: o.filter,
        startIndex: o.startIndex,
        count: o.count,
        attributes: o.attributes?.join(","),
        excludedAttributes: o.excludedAttributes?.join(","),
      },
    });
  }

  /** Every page, one after the other (startIndex advances by what each page returned). */
  async *pages(o: Omit<ListOptions, "startIndex"> = {}): AsyncGenerator<ScimListResponse<T>> {
    let startIndex = 1;
    for (let n = 0; n < this.client.maxPages; n++) {
      const page = await this.page({ ...o, startIndex, count: o.count ?? this.client.pageSize });
      yield page;
      const got = page.Resources?.length ?? 0;
      startIndex += got;
      if (got === 0 || startIndex > page.totalResults) return;
    }
    throw new ScimClientError(0, `Listing ${this.endpoint} stopped after ${this.client.maxPages} pages`);
  }

  /** Everything matching the filter, across all pages. */
  async list(o: Omit<ListOptions, "startIndex"> = {}): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.pages(o)) all.push(...(page.Resources ?? []));
    return all;
  }

  get(id: string, o: { attributes?: string[] } = {}): Promise<T> {
    return this.client.json("GET", `/${this.endpoint}/${encodeURIComponent(id)}`, {
      query: { attributes: o.attributes?.join(",") },
    });
  }

  create(resource: ScimInput<T>): Promise<T> {
    return this.client.json("POST", `/${this.endpoint}`, { body: resource });
  }

  replace(id: string, resource: ScimInput<T>, o: { ifMatch?: string } = {}): Promise<T> {
    return this.client.json("PUT", `/${this.endpoint}/${encodeURIComponent(id)}`, {
      body: resource,
      ifMatch: o.ifMatch,
    });
  }

  /** PATCH; resolves to the resource, or undefined when the server answers 204. */
  patch(id: string, operations: ScimPatchOp[], o: { ifMatch?: string } = {}): Promise<T | undefined> {
    return this.client.json("PATCH", `/${this.endpoint}/${encodeURIComponent(id)}`, {
      body: { schemas: [SCIM_PATCH_OP], Operations: operations },
      ifMatch: o.ifMatch,
    });
  }

  async delete(id: string, o: { ifMatch?: string } = {}): Promise<void> {
    await this.client.request("DELETE", `/${this.endpoint}/${encodeURIComponent(id)}`, {
      ifMatch: o.ifMatch,
    });
  }
}

/** A filter string literal, quoted and escaped (for building filters from values). */
export const scimString = (v: string) => JSON.stringify(v);
