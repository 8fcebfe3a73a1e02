import type { Command } from "commander";
import { buildApp } from "../app.js";
import { createLogger } from "../platform/log/index.js";
import { cliConfig } from "./context.js";

/** `tandem awareness seed`: the starter policies, training modules and rules (idempotent). */
export function awarenessCommands(program: Command) {
  const awareness = program.command("awareness").description("security awareness: policies and training");
  awareness
    .command("seed")
    .description(
      "add the starter policies, training modules and assignment rules (once; running it again adds nothing)",
    )
    .action(async () => {
      const config = cliConfig();
      const t = await buildApp({ ...config, TANDEM_JOBS: false }, { log: createLogger("warn") });
      try {
        const r = await t.awareness.seedStarter();
        console.log(
          r.policies + r.modules + r.rules
            ? `Added ${r.policies} policies (published), ${r.modules} training modules and ${r.rules} assignment rules.`
            : "The starter content is already there; nothing was added.",
        );
      } finally {
        await t.close();
      }
    });
}
