/* global module -- dependency-cruiser reads its configuration as CommonJS */
// The direction of dependencies, checked by `npm run lint`:
//
//   composition (main, server, app, demo)
//     -> surfaces: graphql (the one API), rest, web and mcpgw (which translate to it), and the
//        MCP gateway (gateway: the data plane at /{path}/mcp, which calls capabilities)
//     -> capabilities: auth, servers, health, registry, search
//     -> http: the HTTP plumbing anything above may use (request state, body parsing,
//        the error boundary, typed error -> status); it knows no capability or surface
//     -> base: db, config (and cidr, its parser of address lists), log, errors, lru-map,
//        metrics and telemetry (instruments anything above may feed), the generated Prisma client
//
// The browser's code (src/web/client) is bundled on its own: it may import itself, the
// generated GraphQL documents, and the few pure rule modules listed in SHARED, which the
// server uses too so that a form and the API check the same rules. Those modules import
// nothing but each other. Type-only imports count everywhere: a type names the module
// it comes from as much as a value does.

/** Pure rule modules the browser bundle shares with the server. */
const SHARED = [
  "^src/servers/validate\\.ts$",
  "^src/servers/path\\.ts$",
  "^src/servers/upstream-auth\\.ts$",
  "^src/servers/transport\\.ts$",
  "^src/auth/token-file\\.ts$",
];

const BASE = "^src/(db/|metrics/|telemetry/|generated/prisma/|(config|log|errors|cidr|origins|lru-map)\\.ts$)";
const CAPABILITIES = "^src/(audit|auth|servers|health|registry|search)/";
const HTTP = "^src/http/";
const SURFACES = "^src/(graphql|rest|web|gateway|mcpgw)/";
const COMPOSITION = "^src/(demo/|(main|server|app|shutdown|startup-notices|process-guard|observability)\\.ts$)";
const PRISMA = ["^src/generated/prisma/", "(^|/)node_modules/(@prisma|\\.prisma|prisma|pglite-prisma-adapter)/"];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle: modules in a cycle cannot be understood, tested or loaded one at a time.",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to no file would escape every other rule.",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "base-imports-nothing-above",
      severity: "error",
      comment: "db, config, cidr, origins, log, errors and lru-map are the bottom layer: they import no capability, surface or composition module.",
      from: { path: BASE },
      to: { path: "^src/", pathNot: BASE },
    },
    {
      name: "capabilities-import-no-surface",
      severity: "error",
      comment:
        "A capability (auth, servers, health, registry, search) holds rules and data access; GraphQL, REST and pages call it, never the reverse.",
      from: { path: CAPABILITIES },
      to: { path: [SURFACES, COMPOSITION] },
    },
    {
      name: "http-plumbing-imports-only-base",
      severity: "error",
      comment: "src/http is plumbing that capabilities and surfaces share: it imports only itself and the base layer.",
      from: { path: HTTP },
      to: { path: "^src/", pathNot: [HTTP, BASE] },
    },
    {
      name: "graphql-imports-no-rest-or-web",
      severity: "error",
      comment: "GraphQL is the one API: REST and the web UI translate to it, not the other way round.",
      from: { path: "^src/graphql/" },
      to: { path: ["^src/(rest|web)/", COMPOSITION] },
    },
    {
      name: "rest-web-http-reach-no-database",
      severity: "error",
      comment: "REST, the web UI, the registry's MCP server and the HTTP plumbing reach data through GraphQL or a capability, never through db or Prisma.",
      from: { path: "^src/(rest|web|mcpgw|http)/" },
      to: { path: ["^src/db/", ...PRISMA] },
    },
    {
      name: "web-client-imports-only-client-code",
      severity: "error",
      comment: "The browser bundle may import itself, the generated GraphQL documents and the SHARED pure modules, nothing else of the server.",
      from: { path: "^src/web/client/" },
      to: { path: "^src/", pathNot: ["^src/web/client/", "^src/generated/gql/", ...SHARED] },
    },
    {
      name: "web-client-imports-no-node",
      severity: "error",
      comment: "The browser has no Node built-ins.",
      from: { path: "^src/web/client/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "shared-modules-stay-pure",
      severity: "error",
      comment: "A module the browser shares with the server imports only other shared modules: no Node, no package, no server code.",
      from: { path: SHARED },
      to: { pathNot: SHARED },
    },
    {
      name: "no-test-code-in-src",
      severity: "error",
      comment: "The product does not ship or depend on tests and benchmarks.",
      from: { path: "^src/" },
      to: { path: "^(test|bench)/" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: ["(^|/)node_modules/", "^src/generated/"] },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
