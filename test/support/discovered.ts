// Servers whose tools the registry really discovered: one MCP SDK server each (so that no
// check of one server can see another's tool list), registered, enabled and refreshed
// through the API, so that every write the registry does on discovery (the search index's
// documents too) has happened. The app must run with HEALTH_CHECKS=true.
import { expect } from "vitest";
import type { TestApp } from "./app.ts";
import { startMcpServer, type TestMcpServer, type ToolSpec } from "./mcp-server.ts";
import { Refresh, RegisterServer, ToggleServer } from "./operations.ts";

export type DiscoveredServer = {
  path: string;
  name: string;
  description?: string;
  tags?: string[];
  tools: ToolSpec[];
  /** Left disabled after its tools were discovered. */
  disabled?: boolean;
};

/** Registers and discovers each server in turn; close the returned MCP servers at the end. */
export async function discoverServers(app: TestApp, servers: DiscoveredServer[]): Promise<TestMcpServer[]> {
  const started: TestMcpServer[] = [];
  for (const s of servers) {
    const mcp = await startMcpServer({ name: s.name, tools: s.tools });
    started.push(mcp);
    const registered = await app.gqlOk(RegisterServer, {
      input: { name: s.name, path: s.path, description: s.description ?? "", tags: s.tags ?? [], proxyPassUrl: mcp.mcpUrl(), transport: "STREAMABLE_HTTP" },
    });
    expect(registered.registerServer.__typename).toBe("RegisterServerSuccess");
    await app.gqlOk(ToggleServer, { path: s.path, enabled: true });
    const refreshed = await app.gqlOk(Refresh, { path: s.path });
    if (refreshed.refreshServer.__typename !== "RefreshServerSuccess") throw new Error(`${s.path}: ${refreshed.refreshServer.__typename}`);
    expect(refreshed.refreshServer.server.numTools, s.path).toBe(s.tools.length);
    if (s.disabled) await app.gqlOk(ToggleServer, { path: s.path, enabled: false });
  }
  return started;
}

/** Settings for startApp: checks on, but only when a test asks (enable, refresh). */
export const DISCOVERY_ENV = { HEALTH_CHECKS: "true", HEALTH_CHECK_INTERVAL_SECONDS: "3600", HEALTH_CHECK_TIMEOUT_MS: "3000" };
