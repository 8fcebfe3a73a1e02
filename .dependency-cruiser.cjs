/** Module boundaries (docs/architecture.md): no cycles; modules meet only through index.ts. */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    {
      name: "platform-knows-no-domain",
      comment: "platform/ holds mechanisms with no domain knowledge: it never imports a module or connector",
      severity: "error",
      from: { path: "^server/src/platform/" },
      to: { path: "^server/src/(modules|connectors)/" },
    },
    {
      name: "modules-through-index",
      comment: "a module may use another module only through that module's index.ts",
      severity: "error",
      from: { path: "^server/src/modules/([^/]+)/" },
      to: {
        path: "^server/src/modules/([^/]+)/",
        pathNot: ["^server/src/modules/$1/", "^server/src/modules/[^/]+/index\\.ts$"],
      },
    },
    {
      name: "platform-parts-through-index",
      comment: "outside platform/, a platform part is used through its index.ts",
      severity: "error",
      from: { path: "^server/src/(modules|connectors|cli)/" },
      to: { path: "^server/src/platform/[^/]+/", pathNot: "^server/src/platform/[^/]+/index\\.ts$" },
    },
    {
      name: "people-not-upwards",
      severity: "error",
      from: { path: "^server/src/modules/people/" },
      to: { path: "^server/src/modules/(access|awareness|reports|monitoring|governance)/" },
    },
    {
      name: "access-not-upwards",
      severity: "error",
      from: { path: "^server/src/modules/access/" },
      to: { path: "^server/src/modules/(awareness|reports|monitoring|governance)/" },
    },
    {
      name: "reports-not-upwards",
      comment: "reports may use platform, people and access (through index.ts) only; never incidents",
      severity: "error",
      from: { path: "^server/src/modules/reports/" },
      to: { path: "^server/src/modules/", pathNot: ["^server/src/modules/(reports|people|access)/"] },
    },
    {
      name: "incidents-not-upwards",
      comment:
        "incidents may use platform, people, access and reports (through index.ts); nothing below uses incidents",
      severity: "error",
      from: { path: "^server/src/modules/incidents/" },
      to: { path: "^server/src/modules/(awareness|monitoring|governance)/" },
    },
    {
      name: "awareness-not-upwards",
      comment:
        "awareness may use platform, people and access (through index.ts); anything from reports, incidents, monitoring or governance arrives as a domain event",
      severity: "error",
      from: { path: "^server/src/modules/awareness/" },
      to: { path: "^server/src/modules/", pathNot: ["^server/src/modules/(awareness|people|access)/"] },
    },
    {
      name: "nothing-below-uses-incidents",
      severity: "error",
      from: { path: "^server/src/modules/(people|access|reports)/" },
      to: { path: "^server/src/modules/incidents/" },
    },
    {
      name: "no-test-code-in-production",
      severity: "error",
      from: { path: "^server/src/", pathNot: "\\.test\\.ts$|^server/src/test/" },
      to: { path: "\\.test\\.ts$|^server/src/test/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
