// Runs one test MCP server in its own process, so a benchmark measures the
// registry's CPU rather than the servers':
//   node --import tsx test/support/mcp-server-cli.ts '{"pageSize": 2}'
// The argument is McpServerOptions as JSON (optional). Prints the base URL as
// one line once listening; `/mcp`, `/sse` and `/s/<id>/...` hang off it.
// Exits on SIGTERM or SIGINT, or when stdin closes (the parent died).
import { startMcpServer, type McpServerOptions } from "./mcp-server.ts";

const options = JSON.parse(process.argv[2] ?? "{}") as McpServerOptions;
const server = await startMcpServer(options);
process.stdout.write(`${server.baseUrl()}\n`);

const shutdown = () => void server.close().finally(() => process.exit(0));
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.stdin.on("end", shutdown);
process.stdin.resume();
