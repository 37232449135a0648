// What the Connect panel offers to copy: the configuration of each MCP client for one
// server's gateway URL. Pure (no DOM), so that a test can read exactly what a user pastes.
// The token never appears in a configuration: each client reads it from a prompt or from
// the MCP_REGISTRY_TOKEN environment variable, so a configuration can be shared or committed.

export const TOKEN_VARIABLE = "MCP_REGISTRY_TOKEN";
const VSCODE_INPUT = "mcp-registry-token";

export type ClientConfig = { id: "vscode" | "claude" | "cursor" | "generic"; title: string; where: string; text: string };

/** A client-side name for the server: letters, digits, '-' and '_', starting with a letter (VS Code's rule). */
export function clientNameOf(path: string): string {
  const name = path.replace(/^\/+/, "").replace(/[^a-zA-Z0-9_-]+/g, "-").replace(/^-+|-+$/g, "");
  return /^[a-zA-Z]/.test(name) ? name : `mcp-${name || "server"}`;
}

export function clientConfigs(path: string, gatewayUrl: string): ClientConfig[] {
  const name = clientNameOf(path);
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  return [
    {
      id: "vscode",
      title: "VS Code",
      where: "Add to .vscode/mcp.json (VS Code asks for the token once and stores it securely).",
      text: json({
        inputs: [{ type: "promptString", id: VSCODE_INPUT, description: "MCP Gateway Registry token", password: true }],
        servers: { [name]: { type: "http", url: gatewayUrl, headers: { Authorization: `Bearer \${input:${VSCODE_INPUT}}` } } },
      }),
    },
    {
      id: "claude",
      title: "Claude Code",
      where: `Run in a shell where ${TOKEN_VARIABLE} holds the token.`,
      text: `claude mcp add --transport http ${name} ${gatewayUrl} --header "Authorization: Bearer $${TOKEN_VARIABLE}"`,
    },
    {
      id: "cursor",
      title: "Cursor",
      where: `Add to ~/.cursor/mcp.json (or .cursor/mcp.json in a project); Cursor reads ${TOKEN_VARIABLE} from its environment.`,
      text: json({ mcpServers: { [name]: { url: gatewayUrl, headers: { Authorization: `Bearer \${env:${TOKEN_VARIABLE}}` } } } }),
    },
    {
      id: "generic",
      title: "Any Streamable HTTP client",
      where: "Transport: Streamable HTTP. Send the token in the Authorization header as Bearer (or in X-Authorization). For example, with curl:",
      text: [
        `curl -i ${gatewayUrl} \\`,
        `  -H "Authorization: Bearer $${TOKEN_VARIABLE}" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -H "Accept: application/json, text/event-stream" \\`,
        `  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1.0.0"}}}'`,
      ].join("\n"),
    },
  ];
}

/** The shell line that makes a token available to the configurations above. */
export function exportLine(token: string): string {
  return `export ${TOKEN_VARIABLE}=${token}`;
}
