// Small example MCP servers for `npm run demo`, built with the MCP SDK and served
// over Streamable HTTP on 127.0.0.1, each on its own ephemeral port: a clock, a
// weather service with canned forecasts (it never calls out), and a notes server
// whose `summarize_notes` tool streams progress while it works. They run in the
// registry's own process and stop with it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

export type DemoServerSpec = {
  path: string;
  name: string;
  description: string;
  tags: string[];
  build(): McpServer;
};

export type RunningDemoServer = { spec: DemoServerSpec; url: string };

const FORECASTS = new Map<string, { summary: string; highC: number; lowC: number; rainChance: number }>([
  ["london", { summary: "Light rain, clearing later", highC: 14, lowC: 8, rainChance: 70 }],
  ["paris", { summary: "Sunny spells", highC: 18, lowC: 10, rainChance: 20 }],
  ["new york", { summary: "Clear and breezy", highC: 21, lowC: 13, rainChance: 5 }],
  ["tokyo", { summary: "Humid with afternoon showers", highC: 27, lowC: 21, rainChance: 60 }],
  ["sydney", { summary: "Warm and sunny", highC: 25, lowC: 16, rainChance: 10 }],
]);

const MAX_NOTES = 100;
const MAX_NOTE_CHARS = 2_000;

function timeServer(): McpServer {
  const mcp = new McpServer({ name: "demo-time", version: "1.0.0" });
  mcp.registerTool(
    "current_time",
    {
      title: "Current time",
      description: "The current date and time in an IANA time zone (UTC when none is given)",
      inputSchema: { timezone: z.string().max(64).optional().describe("IANA time zone, e.g. Europe/London") },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ timezone }) => {
      const zone = timezone ?? "UTC";
      try {
        const text = new Intl.DateTimeFormat("en-GB", { dateStyle: "full", timeStyle: "long", timeZone: zone }).format(new Date());
        return { content: [{ type: "text", text }] };
      } catch {
        return { isError: true, content: [{ type: "text", text: `Unknown time zone "${zone}"` }] };
      }
    },
  );
  mcp.registerTool(
    "time_difference",
    {
      title: "Time difference",
      description: "How many hours one time zone is ahead of another right now",
      inputSchema: { from: z.string().max(64), to: z.string().max(64) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ from, to }) => {
      try {
        const hours = (offsetMinutes(to) - offsetMinutes(from)) / 60;
        return { content: [{ type: "text", text: `${to} is ${hours} hours ahead of ${from}` }] };
      } catch {
        return { isError: true, content: [{ type: "text", text: "Unknown time zone" }] };
      }
    },
  );
  return mcp;
}

/** The zone's UTC offset now, in minutes. */
function offsetMinutes(zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(new Date());
  const name = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === "-" ? -minutes : minutes;
}

function weatherServer(): McpServer {
  const mcp = new McpServer({ name: "demo-weather", version: "1.0.0" });
  mcp.registerTool(
    "get_forecast",
    {
      title: "Weather forecast",
      description: `Today's forecast for a city (canned demo data for ${[...FORECASTS.keys()].join(", ")})`,
      inputSchema: { city: z.string().max(100).describe("city name") },
      outputSchema: { city: z.string(), summary: z.string(), highC: z.number(), lowC: z.number(), rainChance: z.number() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ city }) => {
      const forecast = FORECASTS.get(city.trim().toLowerCase());
      if (!forecast) return { isError: true, content: [{ type: "text", text: `No demo forecast for "${city}"` }] };
      const structuredContent = { city, ...forecast };
      return { content: [{ type: "text", text: JSON.stringify(structuredContent) }], structuredContent };
    },
  );
  mcp.registerTool(
    "list_cities",
    {
      title: "Cities",
      description: "The cities the demo weather service knows",
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => ({ content: [{ type: "text", text: [...FORECASTS.keys()].join("\n") }] }),
  );
  return mcp;
}

/** The notes live as long as the process, shared by every request (each gets a fresh McpServer). */
function notesServer(notes: string[]): () => McpServer {
  return () => {
    const mcp = new McpServer({ name: "demo-notes", version: "1.0.0" });
    mcp.registerTool(
      "add_note",
      {
        title: "Add a note",
        description: `Stores a short note in memory (at most ${MAX_NOTES} are kept)`,
        inputSchema: { text: z.string().min(1).max(MAX_NOTE_CHARS) },
        annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
      },
      async ({ text }) => {
        notes.push(text);
        if (notes.length > MAX_NOTES) notes.splice(0, notes.length - MAX_NOTES);
        return { content: [{ type: "text", text: `Saved note ${notes.length}` }] };
      },
    );
    mcp.registerTool(
      "list_notes",
      { title: "List notes", description: "Every stored note, oldest first", annotations: { readOnlyHint: true } },
      async () => ({
        content: [{ type: "text", text: notes.length ? notes.map((n, i) => `${i + 1}. ${n}`).join("\n") : "No notes yet." }],
      }),
    );
    mcp.registerTool(
      "summarize_notes",
      {
        title: "Summarize notes (streaming)",
        description: "Reads the notes one by one, streaming a progress notification for each, then returns a summary",
        inputSchema: { delayMs: z.number().int().min(0).max(2_000).optional().describe("pause per note, to watch the stream") },
        annotations: { readOnlyHint: true },
      },
      async ({ delayMs }, extra) => {
        const token = extra._meta?.progressToken;
        const total = notes.length;
        let words = 0;
        for (let i = 0; i < total; i++) {
          words += notes[i]!.split(/\s+/).filter(Boolean).length;
          if (token !== undefined) {
            await extra.sendNotification({
              method: "notifications/progress",
              params: { progressToken: token, progress: i + 1, total, message: `Read note ${i + 1} of ${total}` },
            });
          }
          if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
        }
        return { content: [{ type: "text", text: `${total} notes, ${words} words in all.` }] };
      },
    );
    return mcp;
  };
}

function demoServerSpecs(): DemoServerSpec[] {
  const notes: string[] = ["Try the summarize_notes tool: it streams progress."];
  return [
    {
      path: "/demo-time",
      name: "Demo: time",
      description: "Example MCP server started by npm run demo: the current time in any time zone.",
      tags: ["demo", "time"],
      build: timeServer,
    },
    {
      path: "/demo-weather",
      name: "Demo: weather",
      description: "Example MCP server started by npm run demo: canned weather forecasts for a few cities (no network).",
      tags: ["demo", "weather"],
      build: weatherServer,
    },
    {
      path: "/demo-notes",
      name: "Demo: notes",
      description: "Example MCP server started by npm run demo: in-memory notes, with a tool that streams progress.",
      tags: ["demo", "notes", "streaming"],
      build: notesServer(notes),
    },
  ];
}

/** Serves one spec statelessly at /mcp: a fresh McpServer and transport per request, as the SDK requires. */
async function serve(spec: DemoServerSpec): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/mcp") return void res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /mcp");
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST", "content-type": "application/json" });
      return void res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed" }, id: null }));
    }
    const mcp = spec.build();
    // JSON responses off: tools answer as an SSE stream, so progress notifications arrive while they run.
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close().catch(() => undefined);
      void mcp.close().catch(() => undefined);
    });
    mcp
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => {
        if (res.headersSent) res.destroy();
        else res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/mcp`, server };
}

export async function startDemoServers(): Promise<{ servers: RunningDemoServer[]; close(): Promise<void> }> {
  const started: { spec: DemoServerSpec; url: string; server: http.Server }[] = [];
  const close = async () => {
    await Promise.all(
      started.map(
        ({ server }) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  };
  try {
    for (const spec of demoServerSpecs()) started.push({ spec, ...(await serve(spec)) });
  } catch (err) {
    await close();
    throw err;
  }
  return { servers: started.map(({ spec, url }) => ({ spec, url })), close };
}
