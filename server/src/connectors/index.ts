/**
 * The connectors' public surface: the kit (interface, errors, config helpers) and the
 * registry of connector types. Code outside connectors/ imports from here.
 */
import type { ConnectorFactory } from "./kit.js";
import { ldapConnector } from "./ldap/index.js";
import { manualConnector } from "./manual/index.js";
import { scimAppConnector } from "./scim-app/index.js";
import { webhookConnector } from "./webhook/index.js";

export * from "./kit.js";
export { type LdapConfig, ldapConnector } from "./ldap/index.js";
export {
  type Attestation,
  isManualTaskPending,
  MANUAL_TEMPLATES,
  type ManualAction,
  type ManualConfig,
  ManualConnector,
  type ManualDeps,
  type ManualTask,
  ManualTaskPendingError,
  type ManualTaskRequest,
  type ManualTaskState,
  type ManualTemplateKey,
  manualConnector,
  manualConnectorWith,
  type TaskSink,
} from "./manual/index.js";
export { type ScimAppConfig, scimAppConnector } from "./scim-app/index.js";
export { type WebhookConfig, webhookConnector } from "./webhook/index.js";

/**
 * Every connector type by its `type`. The manual connector needs a task sink: build it
 * with `manualConnectorWith({ sink })` (or pass the sink as `create`'s third argument).
 */
export const connectorTypes = {
  ldap: ldapConnector,
  "scim-app": scimAppConnector,
  manual: manualConnector,
  webhook: webhookConnector,
} as const satisfies Record<string, ConnectorFactory>;

export type ConnectorType = keyof typeof connectorTypes;

/** The factory for `type`, or undefined when there is no such connector type. */
export function connectorType(type: string): ConnectorFactory | undefined {
  return Object.hasOwn(connectorTypes, type) ? connectorTypes[type as ConnectorType] : undefined;
}
