export { settingsRoutes } from "./routes.js";
export { loadSsoSettings, type SsoSettings } from "./settings.js";
