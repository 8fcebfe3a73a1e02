import path from "node:path";
import type { Config } from "../config/index.js";
import { openPglite } from "./pglite.js";
import { openPostgres } from "./postgres.js";
import type { Db } from "./types.js";

export { afterCommit } from "./commit.js";
export { MigrationError, migrate, readMigrations } from "./migrate.js";
export { DataDirLockedError, openPglite } from "./pglite.js";
export { openPostgres } from "./postgres.js";
export { GrowthStats } from "./stats.js";
export type { Db, Queryable, QueryResult } from "./types.js";

export function openDatabase(config: Pick<Config, "DATABASE_URL" | "dataDir">): Promise<Db> {
  return config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL)
    : openPglite(path.join(config.dataDir, "db"));
}
