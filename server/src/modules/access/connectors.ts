import {
  type Connector,
  type ConnectorCapabilities,
  ConnectorError,
  type ConnectorFactory,
  connectorType,
  connectorTypes,
  instantiate,
  manualConnector,
  manualConnectorWith,
  type TaskSink,
} from "../../connectors/index.js";
import type { Envelope } from "../../platform/crypto/index.js";

export function connectorFactory(type: string): ConnectorFactory | undefined {
  return connectorType(type);
}

export function availableConnectorTypes(): {
  type: string;
  label: string;
  secretFields: readonly string[];
}[] {
  return Object.values(connectorTypes).map((f) => ({
    type: f.type,
    label: f.label,
    secretFields: f.secretFields,
  }));
}

export const secretsAad = (systemId: string) => `systems.secrets_enc:${systemId}`;

/** The parts of a system row a connector is built from. */
export interface SystemConnectorRow {
  id: string;
  connector_type: string;
  config: unknown;
  secrets_enc: string | null;
  version: number;
}

export function decryptSecrets(envelope: Envelope, row: SystemConnectorRow): Record<string, string> {
  if (!row.secrets_enc) return {};
  return JSON.parse(envelope.decrypt(row.secrets_enc, secretsAad(row.id))) as Record<string, string>;
}

/**
 * Builds a connector for a system; throws ConnectorError invalid_config when it cannot. A
 * manual system gets the task store, scoped to the system.
 */
export function connectorFor(envelope: Envelope, sink: TaskSink, row: SystemConnectorRow): Connector {
  const factory =
    row.connector_type === manualConnector.type
      ? manualConnectorWith({ sink, systemId: row.id })
      : connectorFactory(row.connector_type);
  if (!factory)
    throw new ConnectorError("invalid_config", `connector type ${row.connector_type} is not available`);
  return instantiate(factory as ConnectorFactory<unknown>, row.config, decryptSecrets(envelope, row));
}

const ALL: ConnectorCapabilities = {
  create: true,
  update: true,
  disable: true,
  delete: true,
  grant: true,
  revoke: true,
  revokeSessions: false,
  listEntitlements: true,
};

interface Pooled {
  connector: Connector;
  version: number;
  lastUsed: number;
}

/**
 * Connectors kept open per system between runner passes (an LDAP bind per leaver would
 * cost more than the work), rebuilt when the system's settings change, closed when idle.
 */
export class ConnectorPool {
  private readonly open = new Map<string, Pooled>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly envelope: Envelope,
    private readonly sink: TaskSink,
    private readonly idleMs = 60_000,
  ) {
    this.timer = setInterval(() => void this.closeIdle(), Math.max(1000, idleMs / 2));
    this.timer.unref();
  }

  get(row: SystemConnectorRow): Connector {
    const have = this.open.get(row.id);
    if (have && have.version === row.version) {
      have.lastUsed = Date.now();
      return have.connector;
    }
    if (have) this.drop(row.id);
    const connector = connectorFor(this.envelope, this.sink, row);
    this.open.set(row.id, { connector, version: row.version, lastUsed: Date.now() });
    return connector;
  }

  /** What the system's connector can do; everything when it cannot be built (the run will say why). */
  capabilities(row: SystemConnectorRow): ConnectorCapabilities {
    try {
      return this.get(row).meta.capabilities;
    } catch {
      return ALL;
    }
  }

  /** Forgets a system's connector (its connection may be broken, or its settings changed). */
  drop(systemId: string): void {
    const have = this.open.get(systemId);
    if (!have) return;
    this.open.delete(systemId);
    void have.connector.close().catch(() => undefined);
  }

  private async closeIdle(): Promise<void> {
    const cutoff = Date.now() - this.idleMs;
    for (const [id, p] of this.open) if (p.lastUsed < cutoff) this.drop(id);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map((p) => p.connector.close()));
  }
}
