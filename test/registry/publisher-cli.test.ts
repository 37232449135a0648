// The official publisher CLI (mcp-publisher, Go; it cannot be installed here) against this
// registry, by the HTTP calls it makes (cmd/publisher in the official repository):
// `publish` reads ~/.mcp_publisher_token ({"token", "method", "registry"}), sends
// POST {registry}/v0/publish with `Authorization: Bearer {token}` and the server.json, takes
// 200 as success, and on 422 calls POST {registry}/v0/validate, without a token, to print
// the issues. The token is a registry token made for publishing (README: Publishing with
// mcp-publisher); no login route hands out anonymous tokens.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CURRENT_SCHEMA } from "../../src/registry/validate.ts";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { checkOurContract } from "../support/registry.ts";
import { signInAsAdmin } from "../support/session.ts";

let app: TestApp;
let home: string;

beforeAll(async () => {
  app = await startApp();
  home = await fs.mkdtemp(path.join(os.tmpdir(), "mcp-publisher-home-"));
});
afterAll(async () => {
  await stopApp(app);
  await fs.rm(home, { recursive: true, force: true });
});

/** What `mcp-publisher publish` sends, as its publishToRegistry builds it. */
async function cliPublish(tokenFile: string, serverJson: unknown) {
  const { token, registry } = JSON.parse(await fs.readFile(tokenFile, "utf8")) as { token: string; registry: string };
  const base = registry.endsWith("/") ? registry : `${registry}/`;
  const res = await fetch(`${base}v0/publish`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(serverJson),
  });
  const body = (await res.json()) as Record<string, unknown>;
  checkOurContract("POST", "/v0/publish", res.status, body);
  if (res.status !== 422) return { status: res.status, body, validation: undefined };
  // validateViaAPI: the same document, no Authorization header.
  const v = await fetch(`${registry}/v0/validate`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(serverJson) });
  const validation = (await v.json()) as { valid: boolean; issues: { path: string; message: string }[] };
  checkOurContract("POST", "/v0/validate", v.status, validation);
  return { status: res.status, body, validation };
}

describe("mcp-publisher publish, with a registry token in its token file", () => {
  it("publishes; a refused document is 422 and /v0/validate explains it; no token file entry, no publish", async () => {
    // A user signs in and makes a token with the publish scope (POST /api/tokens/generate, or the web UI).
    const cookie = await signInAsAdmin(app.url);
    const generated = await fetch(`${app.url}/api/tokens/generate`, {
      method: "POST",
      headers: { cookie, origin: app.url, "content-type": "application/json" },
      body: JSON.stringify({ scopes: "publish list_service", expires_in: 3600, description: "mcp-publisher" }),
    });
    expect(generated.status).toBe(200);
    const token = ((await generated.json()) as { tokens: { access_token: string } }).tokens.access_token;
    // The file `mcp-publisher login` would write, written by hand.
    const tokenFile = path.join(home, ".mcp_publisher_token");
    await fs.writeFile(tokenFile, JSON.stringify({ token, method: "github", registry: app.url }), { mode: 0o600 });

    const doc = { $schema: CURRENT_SCHEMA, name: "com.example.cli/weather", description: "Weather", version: "1.0.0" };
    const ok = await cliPublish(tokenFile, doc);
    expect(ok.status).toBe(200);
    expect((ok.body as { server: unknown }).server).toEqual(doc);

    const bad = await cliPublish(tokenFile, { ...doc, version: "^1.0.0", remotes: [{ type: "streamable-http", url: "http://localhost:3000/mcp" }] });
    expect(bad.status).toBe(422);
    expect(bad.validation?.valid).toBe(false);
    expect(bad.validation?.issues.map((i) => i.path).sort()).toEqual(["remotes[0].url", "version"]);

    // A token file holding no valid registry token publishes nothing.
    await fs.writeFile(tokenFile, JSON.stringify({ token: "not-a-token", method: "none", registry: app.url }), { mode: 0o600 });
    const anonymous = await cliPublish(tokenFile, { ...doc, version: "1.0.1" });
    expect(anonymous.status).toBe(401);
  });
});
