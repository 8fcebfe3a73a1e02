import { type Config, ConfigError, loadConfig } from "../platform/config/index.js";
import { type Db, migrate, openDatabase } from "../platform/db/index.js";

/** A CLI failure: printed as `tandem: message` with a non-zero exit code, never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    public readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function cliConfig(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 78);
    throw e;
  }
}

/** Opens the database (migrated) for a CLI verb and closes it afterwards. */
export async function withDb<T>(fn: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = cliConfig();
  const db = await openDatabase(config);
  try {
    await migrate(db);
    return await fn(db, config);
  } finally {
    await db.close();
  }
}
