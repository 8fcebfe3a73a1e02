import { ConnectorError, type ConnectorFactory } from "../kit.js";
import { type ManualConfig, manualConfigSchema } from "./config.js";
import { MANUAL_META, ManualConnector, type ManualDeps } from "./connector.js";

export { type ManualConfig, type ManualConfigInput, manualConfigSchema } from "./config.js";
export {
  isManualTaskPending,
  ManualConnector,
  type ManualDeps,
  ManualTaskPendingError,
} from "./connector.js";
export {
  type Attestation,
  DEFAULT_TEMPLATES,
  MANUAL_TEMPLATE_KEYS,
  MANUAL_TEMPLATES,
  type ManualAction,
  type ManualTask,
  type ManualTaskRequest,
  type ManualTaskState,
  type ManualTaskStatus,
  type ManualTemplate,
  type ManualTemplateKey,
  type TaskSink,
} from "./tasks.js";

function create(config: ManualConfig, _secrets: Record<string, string>, deps?: ManualDeps): ManualConnector {
  if (!deps?.sink) {
    throw new ConnectorError(
      "invalid_config",
      `${MANUAL_META.label}: no task sink was given (the access engine supplies one: manualConnectorWith)`,
    );
  }
  return new ManualConnector(config, deps);
}

/**
 * Manual tasks for systems and devices without an API: no secrets. It needs a TaskSink,
 * so `create` takes a third argument; `manualConnectorWith(deps)` binds one for `instantiate`.
 */
export const manualConnector: ConnectorFactory<ManualConfig> & {
  create(config: ManualConfig, secrets: Record<string, string>, deps?: ManualDeps): ManualConnector;
} = {
  type: MANUAL_META.type,
  label: MANUAL_META.label,
  configSchema: manualConfigSchema,
  secretFields: [],
  create,
};

/** The manual connector's factory with its task sink bound. */
export function manualConnectorWith(deps: ManualDeps): ConnectorFactory<ManualConfig> {
  return { ...manualConnector, create: (config, secrets) => create(config, secrets, deps) };
}
