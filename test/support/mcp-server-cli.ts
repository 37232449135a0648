// Runs one test MCP server in its own process, so a benchmark measures the
// registry's CPU rather than the servers':
//   node --import tsx test/support/mcp-server-cli.ts '{"pageSize": 2}'
// The argument is McpServerOptions as JSON (optional), plus `echoTools: N`: N tools
// `tool_0` ... that answer with their `text` argument, `echo` first among them (zod
// schemas cannot travel as JSON). Prints the base URL as one line once listening;
// `/mcp`, `/sse` and `/s/<id>/...` hang off it.
// Exits on SIGTERM or SIGINT, or when stdin closes (the parent died).
import { z } from "zod";
import { startMcpServer, type McpServerOptions, type ToolSpec } from "./mcp-server.ts";

const { echoTools, ...options } = JSON.parse(process.argv[2] ?? "{}") as McpServerOptions & { echoTools?: number };
if (echoTools) {
  const echo = (name: string): ToolSpec => ({
    name,
    description: `Answers with its text (${name})`,
    inputSchema: { text: z.string() },
    handler: async (args) => ({ content: [{ type: "text", text: String(args.text) }] }),
  });
  options.tools = [echo("echo"), ...Array.from({ length: echoTools - 1 }, (_, i) => echo(`tool_${i + 1}`))];
}
const server = await startMcpServer(options);
process.stdout.write(`${server.baseUrl()}\n`);

const shutdown = () => void server.close().finally(() => process.exit(0));
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.stdin.on("end", shutdown);
process.stdin.resume();
