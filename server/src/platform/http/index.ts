export { decodeCursor, encodeCursor, pageQuery } from "./cursor.js";
export {
  AppError,
  badRequest,
  conflict,
  type FieldError,
  forbidden,
  notFound,
  type Problem,
  problem,
  tooMany,
  unauthorized,
  unprocessable,
} from "./errors.js";
export {
  type App,
  createHttpServer,
  type HttpOptions,
  type RouteEntry,
  routeRegistry,
  type TypedApp,
} from "./server.js";
export type { Identity, RequestSession } from "./types.js";
