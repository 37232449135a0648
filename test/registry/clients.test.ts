// Clients of the registry API: the Python client class and the curl lines of
// registry-v0.1-api.md (copied verbatim into test/registry/clients/, and compared with
// the document when it is checked out beside the repo), and a client that probes the
// way VS Code does. Every 2xx answer is checked against the official openapi.yaml.
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { RegisterServer } from "../support/operations.ts";
import { OFFICIAL, registryCall, registrySpec, templateOf, type ServerList, type ServerResponse } from "../support/registry.ts";
import { validateResponse } from "../support/openapi.ts";

const run = promisify(execFile);
const CLIENTS = fileURLToPath(new URL("./clients/", import.meta.url));
const DOC = path.resolve("../shared/spec/registry-v0.1-api.md");

let app: TestApp;
let workDir: string;
let tokenFile: string;

beforeAll(async () => {
  app = await startApp();
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), "registry-clients-"));
  for (const p of ["/atlassian", "/github", "/slack"]) {
    await app.gqlOk(RegisterServer, {
      input: { path: p, name: p.slice(1), description: `The ${p.slice(1)} integration`, proxyPassUrl: `http://127.0.0.1:9${p}/mcp` },
    });
  }
  // A token file in the document's format.
  tokenFile = path.join(workDir, "token-file.json");
  await fs.writeFile(
    tokenFile,
    JSON.stringify({
      tokens: { access_token: app.adminToken, refresh_token: null, token_type: "bearer", expires_in: 3600 },
      keycloak_url: "http://127.0.0.1:8080",
      realm: "mcp-gateway",
      client_id: "mcp-gateway-m2m",
    }),
  );
});

afterAll(async () => {
  await stopApp(app);
  if (workDir) await fs.rm(workDir, { recursive: true, force: true });
});

/** The fenced block after `marker` in the document. */
function block(doc: string, marker: string): string {
  const start = doc.indexOf(marker) + marker.length;
  return doc.slice(start, doc.indexOf("```", start));
}

describe("the document's clients", () => {
  it("are copied verbatim (when registry-v0.1-api.md is checked out beside the repo)", async () => {
    const doc = await fs.readFile(DOC, "utf8").catch(() => null);
    if (doc === null) return;
    expect(await fs.readFile(path.join(CLIENTS, "registry_client.py"), "utf8")).toBe(block(doc, "```python\n"));
    expect(await fs.readFile(path.join(CLIENTS, "curl-commands.sh"), "utf8")).toBe(block(doc, "```bash\n# First, extract").replace(/^/, "# First, extract"));
  });

  it("the Python client class lists (following cursors), reads versions and details, and raises on 404", async () => {
    const { stdout } = await run("python3", [path.join(CLIENTS, "drive_client.py"), tokenFile, app.url], { timeout: 60_000 });
    const out = JSON.parse(stdout) as {
      pages: ServerList[];
      first_page_default_limit: ServerList;
      versions: ServerList;
      latest: ServerResponse;
      exact: ServerResponse;
      missing: number | string;
    };
    for (const page of [...out.pages, out.first_page_default_limit, out.versions]) {
      validateResponse(registrySpec(), "get", "/v0.1/servers", 200, page);
    }
    validateResponse(registrySpec(), "get", "/v0.1/servers/{serverName}/versions/{version}", 200, out.latest);
    expect(out.pages.map((p) => p.servers.map((s) => s.server.name))).toEqual([
      ["io.mcpgateway/atlassian", "io.mcpgateway/github"],
      ["io.mcpgateway/slack"],
    ]);
    expect(out.first_page_default_limit.servers).toHaveLength(3);
    expect(out.versions.servers.map((s) => s.server.version)).toEqual(["1.0.0"]);
    expect(out.latest.server.name).toBe("io.mcpgateway/atlassian");
    expect(out.exact).toEqual(out.latest);
    expect(out.missing).toBe(404);
  });

  it("the curl commands run literally (host and token file path swapped in) and answer per the spec", async () => {
    const script = await fs.readFile(path.join(CLIENTS, "curl-commands.sh"), "utf8");
    const [prelude, ...commands] = script
      .replaceAll("/path/to/your/token-file.json", tokenFile)
      .replaceAll("http://localhost", app.url)
      .split(/\n\s*\n/);
    expect(commands).toHaveLength(3);
    const bodies: unknown[] = [];
    for (const command of commands) {
      const { stdout } = await run("bash", ["-c", `set -euo pipefail\n${prelude}\n${command}`], { timeout: 30_000 });
      const url = /curl -X GET "([^"]+)"/.exec(command)![1]!;
      const body = JSON.parse(stdout) as unknown;
      validateResponse(registrySpec(), "get", templateOf("GET", new URL(url).pathname)!, 200, body);
      bodies.push(body);
    }
    const [list, versions, latest] = bodies as [ServerList, ServerList, ServerResponse];
    expect(list.servers.map((s) => s.server.name)).toEqual(["io.mcpgateway/atlassian", "io.mcpgateway/github", "io.mcpgateway/slack"]);
    expect(versions.servers.map((s) => s.server.name)).toEqual(["io.mcpgateway/atlassian"]);
    expect(latest.server).toMatchObject({ name: "io.mcpgateway/atlassian", description: "The atlassian integration" });
    expect(latest._meta[OFFICIAL]!.isLatest).toBe(true);
  });
});

describe("a client that probes the way VS Code does", () => {
  it("limit=1, then limit=50&version=latest, then versions/latest with an encoded name, from a browser origin", async () => {
    const origin = "vscode-file://vscode-app";
    const headers = { origin, "user-agent": "VSCode/1.104 (mcp registry probe)" };
    const call = (p: string) => registryCall<ServerList>(app.url, "GET", p, { token: app.adminToken, headers });
    // A browser-hosted client asks first (preflight) because it sends Authorization.
    const pre = await fetch(`${app.url}/v0.1/servers?limit=1`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization,content-type" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-headers")).toBe("Authorization, Content-Type");

    const probe = await call("/v0.1/servers?limit=1");
    expect(probe.status).toBe(200);
    expect(probe.headers.get("access-control-allow-origin")).toBe("*");
    expect(probe.body.servers).toHaveLength(1);
    expect(probe.body.metadata.nextCursor).toEqual(expect.any(String));

    const page = await call("/v0.1/servers?limit=50&version=latest");
    expect(page.status).toBe(200);
    expect(page.body.servers.map((s) => s.server.name)).toEqual(["io.mcpgateway/atlassian", "io.mcpgateway/github", "io.mcpgateway/slack"]);
    expect(page.body.servers.every((s) => s._meta[OFFICIAL]!.isLatest)).toBe(true);

    for (const s of page.body.servers) {
      const one = await registryCall<ServerResponse>(app.url, "GET", `/v0.1/servers/${encodeURIComponent(s.server.name)}/versions/latest`, {
        token: app.adminToken,
        headers,
      });
      expect(one.status).toBe(200);
      expect(one.body).toEqual(s);
    }
  });
});
