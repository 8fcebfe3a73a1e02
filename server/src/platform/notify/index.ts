export { Channels, DeliveryError, type Webhook, webhookUrlProblem } from "./channels.js";
export {
  type DigestFrequency,
  Notifier,
  type NotifierDeps,
  type NotifyInput,
  type Severity,
} from "./notifier.js";
export { notifyRoutes } from "./routes.js";
