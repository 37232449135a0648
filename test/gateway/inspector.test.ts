// A client nobody here wrote: the MCP Inspector's CLI lists and calls tools through the
// gateway, signed in with a registry token.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { startMcpServer, type TestMcpServer } from "../support/mcp-server.ts";
import { registerUpstream } from "./harness.ts";

const run = promisify(execFile);
const INSPECTOR = path.resolve("node_modules/.bin/mcp-inspector");

let upstream: TestMcpServer;
let app: TestApp;
let token: string;

beforeAll(async () => {
  upstream = await startMcpServer({ stateful: true, requireBearer: "upstream-key" });
  app = await startApp();
  await registerUpstream(app, "/inspected", upstream.mcpUrl(), { type: "BEARER", secret: "upstream-key" });
  token = await tokenFor(app, { subject: "inspector", username: "inspector", groups: [app.config.auth.adminGroup], scopes: ["list_service", "use_service"] });
});

afterAll(async () => {
  await stopApp(app);
  await upstream?.close();
});

async function inspector(...args: string[]): Promise<unknown> {
  const { stdout } = await run(INSPECTOR, ["--cli", `${app.url}/inspected/mcp`, "--transport", "http", "--header", `Authorization: Bearer ${token}`, ...args], {
    timeout: 60_000,
  });
  return JSON.parse(stdout) as unknown;
}

it("lists and calls tools through the gateway", { timeout: 120_000 }, async () => {
  const list = (await inspector("--method", "tools/list")) as { tools: { name: string }[] };
  expect(list.tools.map((t) => t.name)).toEqual(["echo", "add"]);
  const call = (await inspector("--method", "tools/call", "--tool-name", "add", "--tool-arg", "a=2", "b=3")) as { content: { text: string }[] };
  expect(JSON.parse(call.content[0]!.text)).toEqual({ a: 2, b: 3 });
});
