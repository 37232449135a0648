// The hostile-input corpus (corpus.ts) against the real server: every answer is a
// non-5xx in the documented shape, every case that must be refused gets a 4xx, the
// answers are held against /openapi.json where it describes the route, and the data
// is the same after the corpus as before it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { RegisterServer } from "../support/operations.ts";
import { restContract, type Contract } from "../support/rest-contract.ts";
import { GRAPHQL_WS, socket } from "../support/ws-client.ts";
import { corpus, FIXTURE_NAME, FIXTURE_PATH, socketCorpus, type Case, type SocketCase } from "./corpus.ts";
import { dumpData } from "./dump.ts";

let app: TestApp;
let contract: Contract;

beforeAll(async () => {
  app = await startApp();
  contract = await restContract(app.url);
  await app.gqlOk(RegisterServer, {
    input: { path: FIXTURE_PATH, name: "Fixture", description: "d", proxyPassUrl: "http://127.0.0.1:9/mcp" },
  });
  const published = await fetch(`${app.url}/v0.1/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${app.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ $schema: "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json", name: FIXTURE_NAME, description: "A fixture", version: "1.0.0" }),
  });
  expect(published.status).toBe(200);
});

afterAll(async () => {
  await stopApp(app);
});

type Answer = { status: number; headers: Headers; text: string };

async function send(c: Case): Promise<Answer> {
  const headers: Record<string, string> = { ...c.headers };
  if (!c.anonymous) headers.authorization = `Bearer ${app.adminToken}`;
  const res = await fetch(`${app.url}${c.url}`, { method: c.method, headers, body: c.body, redirect: "manual" });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** What is wrong with an answer's shape, or undefined. */
function shapeProblem(c: Case, answer: Answer): string | undefined {
  const type = (answer.headers.get("content-type") ?? "").split(";")[0]!.trim();
  const pathname = new URL(c.url, app.url).pathname;
  if (/^\/graphql\/?$/i.test(pathname)) {
    if (answer.status < 400 && answer.status >= 300) return undefined;
    if (type !== "application/json" && type !== "application/graphql-response+json") return `GraphQL answer as ${type || "nothing"}`;
    const body = parse(answer.text) as { errors?: { message?: unknown }[]; data?: unknown } | undefined;
    if (!body || typeof body !== "object") return "GraphQL answer is not a JSON object";
    if (answer.status >= 400 && !Array.isArray(body.errors)) return "GraphQL error answer without errors";
    if (body.errors?.some((e) => typeof e.message !== "string")) return "GraphQL error without a message";
    return undefined;
  }
  if (answer.status < 400) return undefined;
  if (type === "text/html") {
    // A browser's page, or the sign-in form's message: only where the route answers with pages.
    const documented = contract.doc.paths[templateOf(pathname) ?? ""]?.[c.method.toLowerCase()];
    const html = documented?.responses[String(answer.status)]?.content?.["text/html"];
    const browser = c.method === "GET" && (c.headers?.accept ?? "").includes("text/html");
    return html || browser ? undefined : `an HTML ${answer.status} where JSON was due`;
  }
  if (type !== "application/json") return `a ${answer.status} as ${type || "nothing"}`;
  const body = parse(answer.text) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const error = body?.error;
  if (!error || typeof error.code !== "string" || !/^[A-Z_]+$/.test(error.code) || typeof error.message !== "string") {
    return `not {"error": {"code", "message"}}: ${answer.text.slice(0, 200)}`;
  }
  return undefined;
}

/** A 4xx; for GraphQL also a result whose errors refuse the operation (as 200 for application/json, per the GraphQL-over-HTTP spec). */
function refused(c: Case, answer: Answer): boolean {
  if (answer.status >= 400 && answer.status < 500) return true;
  if (c.family !== "graphql" || answer.status !== 200) return false;
  const body = parse(answer.text) as { errors?: unknown[] } | undefined;
  return (body?.errors?.length ?? 0) > 0;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The /openapi.json template a path falls under, or undefined for routes it does not describe (/v0.1, /v0). */
function templateOf(pathname: string): string | undefined {
  return Object.keys(contract.doc.paths).find((template) =>
    new RegExp(
      `^${template
        .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
        .replace("{service_path}", "(.+)")
        .replace(/\{[^}]+\}/g, "([^/]+)")}$`,
    ).test(pathname),
  );
}

/** Runs `work` over `items`, `limit` at a time. */
async function pooled<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

type SocketOutcome = { upgradeStatus?: number; messages: unknown[]; closeCode?: number };

/** Opens the socket, sends the case's frames, and collects what comes back until it closes or goes quiet. */
function runSocket(c: SocketCase): Promise<SocketOutcome> {
  const outcome: SocketOutcome = { messages: [] };
  return new Promise((resolve) => {
    const ws = socket(app.url, c.url ?? c.endpoint, { protocol: c.endpoint === "/graphql" ? GRAPHQL_WS : undefined });
    let quiet: NodeJS.Timeout | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(quiet);
      ws.terminate();
      resolve(outcome);
    };
    const settle = () => {
      clearTimeout(quiet);
      quiet = setTimeout(finish, 750);
    };
    const send = () => {
      for (const frame of c.frames) ws.send(frame);
      settle();
    };
    ws.on("unexpected-response", (_req, res) => {
      outcome.upgradeStatus = res.statusCode;
      finish();
    });
    ws.on("error", () => finish());
    ws.on("close", (code) => {
      if (done) return; // our own terminate()
      outcome.closeCode = code;
      finish();
    });
    ws.on("open", () => {
      outcome.upgradeStatus = 101;
      if (c.endpoint === "/graphql" && !c.raw) {
        ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${app.adminToken}` } }));
      } else {
        send();
      }
    });
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : (data as Buffer).toString("utf8");
      const message = parse(text) as { type?: string } | undefined;
      if (c.endpoint === "/graphql" && !c.raw && message?.type === "connection_ack" && outcome.messages.length === 0) {
        outcome.messages.push(message);
        send();
        return;
      }
      outcome.messages.push(message ?? text);
      settle();
    });
  });
}

/** What is wrong with a socket's answers, or undefined. */
function socketProblem(c: SocketCase, o: SocketOutcome): string | undefined {
  if (o.upgradeStatus !== undefined && o.upgradeStatus >= 500) return `upgrade answered ${o.upgradeStatus}`;
  // 1011 is the server's internal error; 1006 a socket dropped without a close frame.
  if (o.closeCode === 1011 || o.closeCode === 1006) return `closed with ${o.closeCode}`;
  const errors: unknown[] = [];
  for (const m of o.messages as { type?: string; payload?: unknown }[]) {
    if (m?.type === "error") {
      if (!Array.isArray(m.payload) || m.payload.some((e) => typeof (e as { message?: unknown }).message !== "string")) {
        return `an error message not in GraphQL's shape: ${JSON.stringify(m).slice(0, 200)}`;
      }
      errors.push(...(m.payload as unknown[]));
    }
    if (m?.type === "next") errors.push(...(((m.payload as { errors?: unknown[] })?.errors as unknown[]) ?? []));
  }
  const internal = errors.find((e) => /internal|unexpected error/i.test((e as { message: string }).message));
  if (internal) return `an internal error: ${JSON.stringify(internal)}`;
  if (c.expect === "refuse") {
    const closedAsRefusal = o.closeCode !== undefined && ((o.closeCode >= 4400 && o.closeCode < 4500) || o.closeCode === 1009);
    if (errors.length === 0 && !closedAsRefusal) return `not refused (close ${o.closeCode ?? "none"}, ${o.messages.length} messages)`;
  }
  return undefined;
}

describe("the hostile-input corpus", () => {
  const cases = corpus();
  const sockets = socketCorpus();

  it("has at least 300 cases over every endpoint family and both WebSocket endpoints", () => {
    expect(cases.length + sockets.length).toBeGreaterThanOrEqual(300);
    expect(new Set(cases.map((c) => c.family))).toEqual(new Set(["legacy", "tokens", "graphql", "registry", "sign-in", "pages"]));
    expect(new Set(sockets.map((c) => c.endpoint))).toEqual(new Set(["/graphql", "/ws/health_status"]));
  });

  it("answers every WebSocket case without an internal error, refusing what must be refused, and changes nothing", { timeout: 120_000 }, async () => {
    const before = await dumpData(app);
    const outcomes = await pooled(sockets, 6, runSocket);
    const problems = sockets.flatMap((c, i) => {
      const problem = socketProblem(c, outcomes[i]!);
      return problem ? [`[${c.endpoint}] ${c.name}: ${problem}`] : [];
    });
    expect(problems).toEqual([]);
    // Both endpoints still serve.
    const feed = await runSocket({ endpoint: "/ws/health_status", name: "a plain connection", frames: [], expect: "survive" });
    expect(feed.upgradeStatus).toBe(101);
    expect(feed.messages[0]).toHaveProperty([FIXTURE_PATH]);
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    expect(await dumpData(app)).toEqual(before);
  });

  it("answers every case without a 5xx, in the documented shape, refusing what must be refused, and changes nothing", { timeout: 120_000 }, async () => {
    const before = await dumpData(app);
    const answers = await pooled(cases, 6, send);
    const problems: string[] = [];
    cases.forEach((c, i) => {
      const answer = answers[i]!;
      const where = `[${c.family}] ${c.name} → ${answer.status}`;
      if (answer.status >= 500) problems.push(`${where}: a 5xx`);
      else if (c.expect === "refuse" && !refused(c, answer)) problems.push(`${where}: not refused`);
      const shape = shapeProblem(c, answer);
      if (shape) problems.push(`${where}: ${shape}`);
      const pathname = new URL(c.url, app.url).pathname;
      // A 405 answers a method the document does not list, by definition.
      if (templateOf(pathname) && answer.status !== 405 && !(answer.headers.get("content-type") ?? "").startsWith("text/html")) {
        try {
          contract.check(c.method, c.url, answer);
        } catch (err) {
          problems.push(`${where}: ${(err as Error).message.split("\n")[0]}`);
        }
      }
    });
    expect(problems).toEqual([]);
    // The server still works, and nothing was written.
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    expect(await dumpData(app)).toEqual(before);
  });
});
