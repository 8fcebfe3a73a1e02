import { ConnectorError, type ConnectorFactory } from "../kit.js";
import { MIN_SECRET_LENGTH, type WebhookConfig, webhookConfigSchema } from "./config.js";
import { WEBHOOK_LABEL, WEBHOOK_TYPE, WebhookConnector } from "./connector.js";

export {
  MIN_SECRET_LENGTH,
  type WebhookConfig,
  type WebhookConfigInput,
  webhookConfigSchema,
} from "./config.js";
export { WebhookConnector, type WebhookOperation } from "./connector.js";
export { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signature, signedText, TIMESTAMP_HEADER } from "./signing.js";

/** The webhook connector for custom systems: secrets are { signingSecret }. */
export const webhookConnector: ConnectorFactory<WebhookConfig> = {
  type: WEBHOOK_TYPE,
  label: WEBHOOK_LABEL,
  configSchema: webhookConfigSchema,
  secretFields: ["signingSecret"],
  create: (config, secrets) => {
    const secret = secrets.signingSecret ?? "";
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new ConnectorError(
        "invalid_config",
        `${WEBHOOK_LABEL}: secret signingSecret must be at least ${MIN_SECRET_LENGTH} characters`,
      );
    }
    return new WebhookConnector(config, secret);
  },
};
