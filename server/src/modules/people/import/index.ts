export { FIELDS, type Field, isField, normalizeHeader, TEMPLATE_HEADER } from "./csv.js";
export { type ImportOptions, type ImportResult, type ImportRun, importPeople } from "./importer.js";
export { importRoutes, parseMapping } from "./routes.js";
