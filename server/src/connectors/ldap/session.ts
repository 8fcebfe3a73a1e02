import {
  AndFilter,
  Attribute,
  Change,
  Client,
  type Entry,
  EqualityFilter,
  type Filter,
  type SearchOptions,
} from "ldapts";
import { ConnectorError, tlsOptions } from "../kit.js";
import type { LdapConfig } from "./config.js";
import { toConnectorError } from "./errors.js";

export const eq = (attribute: string, value: string | Buffer) => new EqualityFilter({ attribute, value });
export const and = (...filters: Filter[]) => new AndFilter({ filters });

/**
 * One connection to the directory, bound as the connector's account before every
 * operation, and never trusted for a read once it has silently reconnected unbound.
 */
export class LdapSession {
  readonly client: Client;
  private binding: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly cfg: LdapConfig,
    private readonly password: string,
  ) {
    // An empty password makes a simple bind anonymous: never allow that by accident.
    if (!password) throw new ConnectorError("invalid_config", "LDAP: bindPassword is empty");
    this.client = new Client({
      url: cfg.url,
      timeout: cfg.timeoutMs,
      connectTimeout: cfg.timeoutMs,
      // Only for ldaps://: the library treats any TLS option as "connect with TLS".
      ...(cfg.url.startsWith("ldaps:") ? { tlsOptions: tlsOptions(cfg.tls) } : {}),
      // StartTLS sessions re-bind in ensureBound (the library would re-bind before TLS).
      autoRebind: !cfg.startTls,
    });
  }

  private async ensureBound(): Promise<void> {
    if (this.closed) throw new ConnectorError("invalid_config", "LDAP connector is closed");
    if (this.client.isBound) return;
    this.binding ??= this.bind().finally(() => {
      this.binding = null;
    });
    await this.binding;
  }

  private async bind(): Promise<void> {
    try {
      if (this.cfg.startTls) {
        const host = new URL(this.cfg.url).hostname;
        await this.client.startTLS({
          ...tlsOptions(this.cfg.tls),
          servername: this.cfg.tls.serverName ?? host,
        });
      }
      await this.client.bind(this.cfg.bindDn, this.password);
    } catch (err) {
      // Start the next attempt on a fresh connection (a half-upgraded one cannot be reused).
      await this.client.unbind().catch(() => undefined);
      throw err;
    }
  }

  /** Runs `fn` on a bound connection; every failure leaves as a ConnectorError. */
  async op<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      await this.ensureBound();
      return await fn();
    } catch (err) {
      throw toConnectorError(err, what);
    }
  }

  /** A search whose answer came over the bound connection (never an anonymous re-connect). */
  async search(base: string, options: SearchOptions): Promise<Entry[]> {
    const { searchEntries } = await this.client.search(base, { ...this.bufferOptions(), ...options });
    this.assertStillBound();
    return searchEntries;
  }

  /** A paged search, page by page; each page checked like `search`. */
  async *pages(base: string, options: SearchOptions, pageSize: number): AsyncGenerator<Entry[]> {
    const pages = this.client.searchPaginated(base, {
      ...this.bufferOptions(),
      ...options,
      paged: { pageSize },
    });
    for await (const page of pages) {
      this.assertStillBound();
      yield page.searchEntries;
    }
  }

  modify(dn: string, operation: "add" | "delete" | "replace", type: string, values: string[]): Promise<void> {
    return this.client.modify(dn, new Change({ operation, modification: new Attribute({ type, values }) }));
  }

  private bufferOptions() {
    return { explicitBufferAttributes: this.cfg.idAttribute === "objectGUID" ? ["objectGUID"] : [] };
  }

  private assertStillBound(): void {
    if (!this.client.isBound) {
      throw new ConnectorError("unreachable", "the directory connection was lost during the read");
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.unbind().catch(() => undefined);
  }
}
