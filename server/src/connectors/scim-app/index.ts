import type { ConnectorFactory } from "../kit.js";
import { type ScimAppConfig, scimAppConfigSchema } from "./config.js";
import { SCIM_APP_META, ScimAppConnector } from "./connector.js";

export { type ScimAppConfig, type ScimAppConfigInput, scimAppConfigSchema } from "./config.js";
export { ScimAppConnector };

/** The SCIM 2.0 connector for SaaS apps: secrets are { bearerToken }. */
export const scimAppConnector: ConnectorFactory<ScimAppConfig> = {
  type: SCIM_APP_META.type,
  label: SCIM_APP_META.label,
  configSchema: scimAppConfigSchema,
  secretFields: ["bearerToken"],
  create: (config, secrets) => new ScimAppConnector(config, secrets.bearerToken ?? ""),
};
