// One table of the official publish path's rules (src/registry/semantic.ts, validate.ts):
// for each rule a document it accepts and one it refuses, with the field the refusal
// names. The pure rules are tabled with it (conformance-rules.test.ts), and so is the real
// server's publish path (conformance.test.ts), so both read the same cases.
import { CURRENT_SCHEMA } from "../../src/registry/validate.ts";

export type Doc = Record<string, unknown>;
export type RuleCase = { rule: string; accepted: Doc; refused: Doc; field: string; message?: string };

let n = 0;
/** A valid document, with a name no other case uses (a remote URL is one name's). */
export function base(extra: Doc = {}): Doc {
  n += 1;
  return { $schema: CURRENT_SCHEMA, name: `com.example.rules/case-${n}`, description: "A server", version: "1.0.0", ...extra };
}

const npm = (extra: Doc = {}, transport: Doc = { type: "stdio" }): Doc => ({
  registryType: "npm",
  identifier: "@example/server",
  version: "1.0.0",
  transport,
  ...extra,
});

const remote = (url: string, extra: Doc = {}): Doc => ({ type: "streamable-http", url, ...extra });

/** Unique remote URLs per case. */
const host = (tag: string) => `https://${tag}-${Math.random().toString(36).slice(2, 8)}.example.com`;

export function ruleCases(): RuleCase[] {
  return [
    { rule: "$schema is required", accepted: base(), refused: { ...base(), $schema: undefined }, field: "$schema", message: "$schema field is required" },
    {
      rule: "$schema is a known schema version",
      accepted: base({ $schema: "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json" }),
      refused: base({ $schema: "https://static.modelcontextprotocol.io/schemas/2030-01-01/server.schema.json" }),
      field: "$schema",
      message: "is not supported",
    },
    {
      rule: "the namespace starts and ends with a letter or digit",
      accepted: base({ name: "io.github.rules-ok/server" }),
      refused: base({ name: "-io.github.rules/server" }),
      field: "name",
      message: "namespace '-io.github.rules' is invalid",
    },
    {
      rule: "a name has one slash",
      accepted: base({ name: "com.example.rules/one-slash" }),
      refused: base({ name: "com.example.rules/two/slashes" }),
      field: "name",
      message: "server name cannot contain multiple slashes",
    },
    {
      rule: "repository: a known source",
      accepted: base({ repository: { url: "https://gitlab.com/group/sub/repo", source: "gitlab" } }),
      refused: base({ repository: { url: "https://bitbucket.org/a/b", source: "bitbucket" } }),
      field: "repository.source",
    },
    {
      rule: "repository: a GitHub URL names owner and repository",
      accepted: base({ repository: { url: "https://github.com/owner/repo", source: "github" } }),
      refused: base({ repository: { url: "https://github.com/owner", source: "github" } }),
      field: "repository.url",
      message: "invalid repository URL",
    },
    {
      rule: "repository: a GitLab URL is on gitlab.com",
      accepted: base({ repository: { url: "https://gitlab.com/group/repo", source: "gitlab" } }),
      refused: base({ repository: { url: "https://github.com/group/repo", source: "gitlab" } }),
      field: "repository.url",
    },
    {
      rule: "repository: a subfolder is relative",
      accepted: base({ repository: { url: "https://github.com/o/r", source: "github", subfolder: "src/server" } }),
      refused: base({ repository: { url: "https://github.com/o/r", source: "github", subfolder: "/src/server" } }),
      field: "repository.subfolder",
      message: "invalid subfolder path",
    },
    {
      rule: "repository: a subfolder does not climb out",
      accepted: base({ repository: { url: "https://github.com/o/r", source: "github", subfolder: "packages/a.b" } }),
      refused: base({ repository: { url: "https://github.com/o/r", source: "github", subfolder: "src/../../etc" } }),
      field: "repository.subfolder",
    },
    {
      rule: "repository: a subfolder has no trailing slash",
      accepted: base({ repository: { url: "https://github.com/o/r", source: "github", subfolder: "src" } }),
      refused: base({ repository: { url: "https://github.com/o/r", source: "github", subfolder: "src/" } }),
      field: "repository.subfolder",
    },
    {
      rule: "repository: a subfolder has no empty segment",
      accepted: base({ repository: { url: "https://github.com/o/r", source: "github", subfolder: "a/b" } }),
      refused: base({ repository: { url: "https://github.com/o/r", source: "github", subfolder: "a//b" } }),
      field: "repository.subfolder",
    },
    {
      rule: "repository: a subfolder has only allowed characters",
      accepted: base({ repository: { url: "https://github.com/o/r", source: "github", subfolder: "my_pkg-1" } }),
      refused: base({ repository: { url: "https://github.com/o/r", source: "github", subfolder: "my pkg" } }),
      field: "repository.subfolder",
    },
    {
      rule: "repository: an id has no spaces",
      accepted: base({ repository: { url: "https://github.com/o/r", source: "github", id: "b94b5f7e-c7c6-d760-2c78-a5e9b8a5b8c9" } }),
      refused: base({ repository: { url: "https://github.com/o/r", source: "github", id: "not an id" } }),
      field: "repository.id",
    },
    {
      rule: "websiteUrl is https",
      accepted: base({ websiteUrl: "https://example.com/docs" }),
      refused: base({ websiteUrl: "http://example.com/docs" }),
      field: "websiteUrl",
      message: "websiteUrl must use https scheme",
    },
    {
      rule: "an icon is https",
      accepted: base({ icons: [{ src: "https://example.com/icon.png", mimeType: "image/png", sizes: ["48x48", "any"] }] }),
      refused: base({ icons: [{ src: "http://example.com/icon.png" }] }),
      field: "icons[0].src",
      message: "icon src must use https scheme",
    },
    {
      rule: "an icon is no data: URI",
      accepted: base({ icons: [{ src: "https://example.com/icon.svg", mimeType: "image/svg+xml" }] }),
      refused: base({ icons: [{ src: "data:image/png;base64,iVBORw0KGgo=" }] }),
      field: "icons[0].src",
    },
    {
      rule: "an icon's MIME type is an image type the schema lists",
      accepted: base({ icons: [{ src: "https://example.com/i.webp", mimeType: "image/webp" }] }),
      refused: base({ icons: [{ src: "https://example.com/i.gif", mimeType: "image/gif" }] }),
      field: "icons[0].mimeType",
    },
    {
      rule: "an icon's sizes are WxH or any",
      accepted: base({ icons: [{ src: "https://example.com/i.png", sizes: ["96x96"] }] }),
      refused: base({ icons: [{ src: "https://example.com/i.png", sizes: ["large"] }] }),
      field: "icons[0].sizes[0]",
    },
    {
      rule: "a remote is https",
      accepted: base({ remotes: [remote(`${host("https")}/mcp`)] }),
      refused: base({ remotes: [remote(`${host("http").replace("https:", "http:")}/mcp`)] }),
      field: "remotes[0].url",
      message: "invalid remote URL",
    },
    {
      rule: "a remote is not localhost",
      accepted: base({ remotes: [remote(`${host("public")}/mcp`)] }),
      refused: base({ remotes: [remote("https://localhost:8443/mcp")] }),
      field: "remotes[0].url",
    },
    {
      rule: "a remote is not a loopback address",
      accepted: base({ remotes: [remote(`${host("loopback-ok")}/mcp`)] }),
      refused: base({ remotes: [remote("https://127.0.0.2/mcp")] }),
      field: "remotes[0].url",
    },
    {
      rule: "a remote is not IPv6 loopback",
      accepted: base({ remotes: [remote("https://[2001:db8::1]/mcp")] }),
      refused: base({ remotes: [remote("https://[::1]/mcp")] }),
      field: "remotes[0].url",
    },
    {
      rule: "a remote is not on a private network",
      accepted: base({ remotes: [remote("https://203.0.113.7/mcp")] }),
      refused: base({ remotes: [remote("https://10.1.2.3/mcp")] }),
      field: "remotes[0].url",
    },
    {
      rule: "a remote's transport type is known",
      accepted: base({ remotes: [{ type: "sse", url: `${host("sse")}/sse` }] }),
      refused: base({ remotes: [{ type: "stdio", url: `${host("stdio")}/mcp` }] }),
      field: "remotes[0].type",
    },
    {
      rule: "a remote's URL variables are declared",
      accepted: base({ remotes: [remote(`${host("tenant")}/{tenant}/mcp`, { variables: { tenant: { description: "Tenant" } } })] }),
      refused: base({ remotes: [remote(`${host("undeclared")}/{tenant}/mcp`)] }),
      field: "remotes[0].url",
      message: "reference undefined variables",
    },
    {
      rule: "a remote's declared variables are used",
      accepted: base({ remotes: [remote(`${host("used")}/{region}/mcp`, { variables: { region: { description: "Region" } } })] }),
      refused: base({ remotes: [remote(`${host("unused")}/mcp`, { variables: { region: { description: "Region" } } })] }),
      field: "remotes[0].variables.region",
    },
    {
      rule: "a stdio package has no URL",
      accepted: base({ packages: [npm()] }),
      refused: base({ packages: [npm({}, { type: "stdio", url: "http://localhost:3000/mcp" })] }),
      field: "packages[0].transport.url",
      message: "url must be empty for stdio transport type",
    },
    {
      rule: "a streamable-http package has a URL",
      accepted: base({ packages: [npm({}, { type: "streamable-http", url: "http://localhost:3000/mcp" })] }),
      refused: base({ packages: [npm({}, { type: "streamable-http" })] }),
      field: "packages[0].transport.url",
    },
    {
      rule: "an sse package has a URL",
      accepted: base({ packages: [npm({}, { type: "sse", url: "http://localhost:3000/sse" })] }),
      refused: base({ packages: [npm({}, { type: "sse" })] }),
      field: "packages[0].transport.url",
    },
    {
      rule: "a package's templated URL uses its own variables",
      accepted: base({
        packages: [npm({ packageArguments: [{ type: "named", name: "--port", default: "3000" }] }, { type: "streamable-http", url: "http://localhost:{--port}/mcp" })],
      }),
      refused: base({ packages: [npm({}, { type: "streamable-http", url: "http://localhost:{--port}/mcp" })] }),
      field: "packages[0].transport.url",
      message: "reference undefined variables",
    },
    {
      rule: "a package's templated URL may use an environment variable",
      accepted: base({
        packages: [npm({ environmentVariables: [{ name: "PORT", description: "Port" }] }, { type: "streamable-http", url: "http://localhost:{PORT}/mcp" })],
      }),
      refused: base({
        packages: [npm({ environmentVariables: [{ name: "PORT", description: "Port" }] }, { type: "streamable-http", url: "http://localhost:{HOST}/mcp" })],
      }),
      field: "packages[0].transport.url",
    },
    {
      rule: "a package version is no caret range",
      accepted: base({ packages: [npm({ version: "1.2.3" })] }),
      refused: base({ packages: [npm({ version: "^1.2.3" })] }),
      field: "packages[0].version",
      message: "not a range",
    },
    {
      rule: "a package version is no >= range",
      accepted: base({ packages: [npm({ version: "2025.09.01" })] }),
      refused: base({ packages: [npm({ version: ">=1.2.3" })] }),
      field: "packages[0].version",
    },
    {
      rule: "a package version is no x range",
      accepted: base({ packages: [npm({ version: "1.0.0-beta.1" })] }),
      refused: base({ packages: [npm({ version: "1.x" })] }),
      field: "packages[0].version",
    },
    {
      rule: "a package identifier has no spaces",
      accepted: base({ packages: [npm({ identifier: "@scope/name" })] }),
      refused: base({ packages: [npm({ identifier: "my package" })] }),
      field: "packages[0].identifier",
      message: "package name cannot contain spaces",
    },
    {
      rule: "one bad package refuses the document",
      accepted: base({ packages: [npm(), npm({ identifier: "other" })] }),
      refused: base({ packages: [npm(), npm({ identifier: "bad one" })] }),
      field: "packages[1].identifier",
    },
    {
      rule: "a named argument's name is a flag, no value",
      accepted: base({ packages: [npm({ runtimeArguments: [{ type: "named", name: "--port", value: "8080" }] })] }),
      refused: base({ packages: [npm({ runtimeArguments: [{ type: "named", name: "--port 8080" }] })] }),
      field: "packages[0].runtimeArguments[0].name",
      message: "invalid named argument name format",
    },
    {
      rule: "a named argument's name holds no <placeholder>",
      accepted: base({ packages: [npm({ packageArguments: [{ type: "named", name: "--directory", valueHint: "path" }] })] }),
      refused: base({ packages: [npm({ packageArguments: [{ type: "named", name: "--directory=<path>" }] })] }),
      field: "packages[0].packageArguments[0].name",
    },
    {
      rule: "a named argument's name holds no $VAR",
      accepted: base({ packages: [npm({ packageArguments: [{ type: "named", name: "--token" }] })] }),
      refused: base({ packages: [npm({ packageArguments: [{ type: "named", name: "--token=$TOKEN" }] })] }),
      field: "packages[0].packageArguments[0].name",
    },
    {
      rule: "a named argument's value does not repeat the flag",
      accepted: base({ packages: [npm({ packageArguments: [{ type: "named", name: "--mode", value: "fast" }] })] }),
      refused: base({ packages: [npm({ packageArguments: [{ type: "named", name: "--mode", value: "--mode=fast" }] })] }),
      field: "packages[0].packageArguments[0].value",
      message: "argument value cannot start with the argument name",
    },
    {
      rule: "a named argument's default does not repeat the flag",
      accepted: base({ packages: [npm({ packageArguments: [{ type: "named", name: "--mode", default: "slow" }] })] }),
      refused: base({ packages: [npm({ packageArguments: [{ type: "named", name: "--mode", default: "--mode slow" }] })] }),
      field: "packages[0].packageArguments[0].default",
    },
    {
      rule: "a title is not only whitespace",
      accepted: base({ title: "Weather" }),
      refused: base({ title: "   " }),
      field: "title",
      message: "title cannot be only whitespace",
    },
    {
      rule: "a description has at most 100 characters",
      accepted: base({ description: "d".repeat(100) }),
      refused: base({ description: "d".repeat(101) }),
      field: "description",
    },
    {
      rule: "a name has at most 200 characters",
      accepted: base({ name: `com.example.rules/${"n".repeat(182)}` }),
      refused: base({ name: `com.example.rules/${"n".repeat(183)}` }),
      field: "name",
    },
    {
      rule: "the publisher-provided _meta is at most 4 KB",
      accepted: base({ _meta: { "io.modelcontextprotocol.registry/publisher-provided": { notes: "x".repeat(4000) } } }),
      refused: base({ _meta: { "io.modelcontextprotocol.registry/publisher-provided": { notes: "x".repeat(4100) } } }),
      field: "_meta.io.modelcontextprotocol.registry/publisher-provided",
      message: "exceeds 4KB limit",
    },
    {
      rule: "the version is no range",
      accepted: base({ version: "snapshot - 2025.09" }),
      refused: base({ version: "1.2.3 - 2.0.0" }),
      field: "version",
      message: "version must be a specific version, not a range",
    },
    {
      rule: "the version is no || list",
      accepted: base({ version: "2.0.0+build.5" }),
      refused: base({ version: "1.2 || 1.3" }),
      field: "version",
    },
    {
      rule: "the version is not latest",
      accepted: base({ version: "v1.0" }),
      refused: base({ version: "latest" }),
      field: "version",
      message: "version string 'latest' is reserved",
    },
  ];
}
