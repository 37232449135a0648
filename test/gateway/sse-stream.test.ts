// The streaming SSE filter: a table of hostile framings from a semi-trusted upstream. Each row
// asserts on the bytes out: no disallowed tool name ever reaches the client, and what is allowed
// arrives intact, as read by the event-stream parser the MCP SDK's client uses.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { SseEventTooLargeError, createSseFilter, type SseFilterOptions } from "../../src/gateway/sse-stream.ts";
import type { Allow } from "../../src/gateway/target.ts";
import { ALL, SECRET, allowOnly } from "./messages-allow.ts";

const allow = allowOnly(["echo", "add"]);

type Run = { out: Buffer; text: string; events: EventSourceMessage[]; messages: unknown[]; error: Error | undefined };

async function run(chunks: (string | Buffer)[], options: Partial<SseFilterOptions> & { allow?: Allow } = {}): Promise<Run> {
  const messages: unknown[] = [];
  const filter = createSseFilter({
    allow: options.allow ?? allow,
    maxEventBytes: options.maxEventBytes ?? 1 << 20,
    onMessage: options.onMessage ?? ((m) => messages.push(m)),
    ...(options.wants ? { wants: options.wants } : {}),
  });
  const out: Buffer[] = [];
  filter.on("data", (b: Buffer) => out.push(b));
  const done = new Promise<Error | undefined>((resolve) => {
    filter.on("end", () => resolve(undefined));
    filter.on("error", (err) => resolve(err));
  });
  for (const chunk of chunks) filter.write(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
  filter.end();
  const error = await done;
  const bytes = Buffer.concat(out);
  const text = bytes.toString("utf8");
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  parser.feed(text);
  return { out: bytes, text, events, messages, error };
}

const tool = (name: string) => ({ name, description: `the ${name} tool: ünïcødé ☃ 😀`, inputSchema: { type: "object" } });
const list = (id: unknown, names: string[], extra: object = {}) => ({ jsonrpc: "2.0", id, result: { tools: names.map(tool), ...extra } });
const listJson = (id: unknown = 1, names = ["echo", SECRET, "add"]) => JSON.stringify(list(id, names));
const progress = (n: number) => JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: "t", progress: n } });

/** The tool names in the data of the events the client would dispatch. */
function visibleTools(events: EventSourceMessage[]): string[] {
  const names: string[] = [];
  for (const e of events) {
    if (!e.data) continue;
    const parsed = JSON.parse(e.data) as unknown;
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
      const tools = (m as { result?: { tools?: { name: string }[] } }).result?.tools;
      if (tools) names.push(...tools.map((t) => t.name));
    }
  }
  return names;
}

describe("the SSE filter against hostile framings", () => {
  const L = listJson();
  // Cut points between JSON tokens, where a "\n" joining two data lines is whitespace.
  const [c1, c2] = [L.indexOf(',"id"') + 1, L.indexOf(',"result"') + 1];
  // [case, the upstream's bytes in chunks, the tool names the client must see]
  const framings: [string, (string | Buffer)[], string[]][] = [
    ["LF line endings", [`data: ${L}\n\n`], ["echo", "add"]],
    ["CRLF line endings", [`data: ${L}\r\n\r\n`], ["echo", "add"]],
    ["CR-only line endings", [`event: message\rdata: ${L}\r\r`], ["echo", "add"]],
    ["mixed line endings", [`id: 1\r\ndata: ${L}\r\n`, `\n`], ["echo", "add"]],
    ["a BOM at the stream's start", [`\ufeffdata: ${L}\n\n`], ["echo", "add"]],
    ["a BOM split across chunks", [Buffer.from([0xef]), Buffer.from([0xbb, 0xbf]), `data: ${L}\n\n`], ["echo", "add"]],
    ["data: without its space", [`data:${L}\n\n`], ["echo", "add"]],
    ["the JSON over several data: lines", [`data: ${L.slice(0, c1)}\ndata:${L.slice(c1, c2)}\ndata: ${L.slice(c2)}\n\n`], ["echo", "add"]],
    ["a data: line split across chunks", [`da`, `ta: ${L.slice(0, 33)}`, `${L.slice(33)}\n`, `\n`], ["echo", "add"]],
    ["CR and LF of one line ending in two chunks, the JSON on two data lines", [`data: ${L.slice(0, c2)}\r`, `\ndata: ${L.slice(c2)}\r`, `\n\r\n`], ["echo", "add"]],
    ["comments and unknown fields between data lines", [`: ${SECRET}\ndata: ${L.slice(0, c2)}\n:keep-alive\nfoo: ${SECRET}\nData: x\ndata: ${L.slice(c2)}\n\n`], ["echo", "add"]],
    ["empty events around the event", [`\n\n\n: c\n\ndata: ${L}\n\n\n\n`], ["echo", "add"]],
    ["an event name other than message", [`event: tools\ndata: ${L}\n\n`], ["echo", "add"]],
    ["an event name that is empty", [`event:\ndata: ${L}\n\n`], ["echo", "add"]],
    ["an odd id and event", [`id: ${SECRET}\u0000\nid: 7 \nevent: x y\nretry: 10a\ndata: ${L}\n\n`], ["echo", "add"]],
    ["an odd JSON-RPC id", [`data: ${listJson({ a: [null] })}\n\n`], ["echo", "add"]],
    ["a replayed answer with a null id", [`data: ${listJson(null)}\n\n`], ["echo", "add"]],
    ["duplicate result keys", [`data: {"jsonrpc":"2.0","id":1,"result":{"tools":[]},"result":${JSON.stringify({ tools: [tool(SECRET)] })}}\n\n`], []],
    ["duplicate name keys", [`data: {"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"echo","name":"${SECRET}"}]}}\n\n`], []],
    ["a name spelled with unicode escapes", [`data: {"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"forbidden\\u005fdrop_db"},{"name":"add"}]}}\n\n`], ["add"]],
    ["a __proto__ key holding the result", [`data: {"jsonrpc":"2.0","id":1,"__proto__":{"result":${JSON.stringify({ tools: [tool(SECRET)] })}}}\n\n`], []],
    ["a batch mixing a list and notifications", [`data: [${progress(1)},${listJson(3)},42,${progress(2)}]\n\n`], ["echo", "add"]],
    ["interleaved notifications", [`data: ${progress(1)}\n\ndata: ${listJson(4)}\n\ndata: ${progress(2)}\n\n`], ["echo", "add"]],
    ["pages of a paginated list", [`data: ${JSON.stringify(list(5, [SECRET, "echo"], { nextCursor: "2" }))}\n\ndata: ${JSON.stringify(list(6, ["add", SECRET]))}\n\n`], ["echo", "add"]],
    ["data that is not JSON", [`data: ${SECRET}\n\n`], []],
    ["an update of a hidden resource", [`data: {"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"file:///${SECRET}"}}\n\n`], []],
    ["truncated JSON", [`data: ${L.slice(0, -2)}\n\n`], []],
    ["JSON that is not JSON-RPC", [`data: ${JSON.stringify({ result: { tools: [tool(SECRET)] } })}\n\n`], []],
    ["a field named data with a space before the colon", [`data : ${L}\n\n`], []],
    ["an event without its blank line at the end", [`data: ${L}\n`], []],
    ["an event whose blank line never comes", [`data: ${L}`], []],
  ];

  it.each(framings)("%s", async (_name, chunks, visible) => {
    const r = await run(chunks);
    expect(r.error).toBeUndefined();
    expect(r.text).not.toContain(SECRET);
    expect(r.text).not.toContain("forbidden");
    expect(visibleTools(r.events)).toEqual(visible);
    // The output is canonical: LF only, and every data is one line of JSON.
    expect(r.text).not.toContain("\r");
    for (const e of r.events) if (e.data) expect(() => JSON.parse(e.data)).not.toThrow();
  });

  it("passes allowed entries intact, with event names and ids", async () => {
    const r = await run([`id: 42\nevent: message\ndata: ${JSON.stringify(list(1, ["echo", SECRET], { nextCursor: "c" }))}\n\n`]);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ id: "42", event: "message" });
    expect(JSON.parse(r.events[0]!.data)).toEqual(list(1, ["echo"], { nextCursor: "c" }));
  });

  it("reads a tools/list answer split at every byte offset, and byte by byte", async () => {
    const whole = Buffer.from(`: hello\r\nid: 9\r\ndata: ${L}\r\n\r\ndata: ${progress(3)}\r\r`, "utf8");
    const expected = (await run([whole])).text;
    expect(visibleTools((await run([whole])).events)).toEqual(["echo", "add"]);
    for (let at = 0; at <= whole.length; at++) {
      const r = await run([whole.subarray(0, at), whole.subarray(at)]);
      if (r.text !== expected) throw new Error(`split at byte ${at} changed the output: ${r.text}`);
    }
    const bytes = [...whole].map((b) => Buffer.from([b]));
    const r = await run(bytes);
    expect(r.text).toBe(expected);
    // the multi-byte characters came through whole
    expect(r.text).toContain("ünïcødé ☃ 😀");
  });

  it("drops an event's text but keeps its id when the data is not JSON-RPC", async () => {
    const r = await run([`id: 5\ndata: ${SECRET}\n\n`]);
    expect(r.text).toBe("id: 5\n\n");
  });

  it("passes the SDK's priming event (id, retry, empty data) for resumption", async () => {
    const r = await run([`id: abc\nretry: 500\ndata: \n\n`]);
    expect(r.text).toBe("id: abc\nretry: 500\ndata: \n\n");
  });

  it("turns comments into bare keep-alive lines", async () => {
    const r = await run([`: ${SECRET}\n\n`, `:ping\n`]);
    expect(r.text).toBe(":\n:\n");
  });

  it("reports every message, batch members one by one, before filtering", async () => {
    const r = await run([`data: [${progress(1)},${listJson(2)}]\n\ndata: ${progress(2)}\n\ndata: nonsense\n\n`]);
    expect(r.messages).toEqual([JSON.parse(progress(1)), JSON.parse(listJson(2)), JSON.parse(progress(2))]);
  });

  it("writes each event as soon as its blank line arrives", async () => {
    const filter = createSseFilter({ allow, maxEventBytes: 1 << 20 });
    const seen: string[] = [];
    filter.on("data", (b: Buffer) => seen.push(b.toString("utf8")));
    await new Promise<void>((resolve) => filter.write(Buffer.from(`data: ${progress(1)}\n\ndata: ${progress(2)}`), () => resolve()));
    expect(seen.join("")).toBe(`data: ${progress(1)}\n\n`);
    await new Promise<void>((resolve) => filter.write(Buffer.from("\n\n"), () => resolve()));
    expect(seen.join("")).toBe(`data: ${progress(1)}\n\ndata: ${progress(2)}\n\n`);
    filter.destroy();
  });

  it("ends the stream with an error on an event over maxEventBytes, writing nothing of it", async () => {
    const big = JSON.stringify(list(1, ["echo", SECRET, ...Array.from({ length: 200 }, (_, i) => `tool${i}`)]));
    const r = await run([`data: ${progress(1)}\n\n`, `data: ${big.slice(0, 5000)}`, `${big.slice(5000)}\n\n`], { maxEventBytes: 4096 });
    expect(r.error).toBeInstanceOf(SseEventTooLargeError);
    expect(r.text).toBe(`data: ${progress(1)}\n\n`);
    // many data lines add up too, and so does one endless line without a line ending
    const lines = await run([`data: 1\n`.repeat(1000)], { maxEventBytes: 4096 });
    expect(lines.error).toBeInstanceOf(SseEventTooLargeError);
    const endless = await run(Array.from({ length: 10 }, () => "x".repeat(1000)), { maxEventBytes: 4096 });
    expect(endless.error).toBeInstanceOf(SseEventTooLargeError);
  });

  it("allows endless comments between events (keep-alive) without counting them", async () => {
    const r = await run([": ping\n".repeat(2000), `data: ${progress(1)}\n\n`], { maxEventBytes: 4096 });
    expect(r.error).toBeUndefined();
    expect(r.events).toHaveLength(1);
  });

  it("with allow.all passes the very bytes, still reporting messages", async () => {
    const chunks = [`\ufeff: c\r\nid: 1\r\ndata: ${listJson()}\r`, `\n\r\nevent: x\ndata: ${SECRET}\n\ndata: ${progress(1)}`, `\n\n`];
    const r = await run(chunks, { allow: ALL });
    expect(r.out.equals(Buffer.from(chunks.join(""), "utf8"))).toBe(true);
    expect(r.messages).toEqual([JSON.parse(listJson()), JSON.parse(progress(1))]);
  });

  it("with allow.all passes an event over maxEventBytes unread instead of ending the stream", async () => {
    const big = `data: ${JSON.stringify({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "x".repeat(10_000) }] } })}\n\n`;
    const chunks = [big.slice(0, 3000), big.slice(3000), `data: ${progress(7)}\n\n`];
    const r = await run(chunks, { allow: ALL, maxEventBytes: 4096 });
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(chunks.join(""));
    expect(r.messages).toEqual([JSON.parse(progress(7))]);
  });
});

describe("reading only what is wanted (callers allowed everything)", () => {
  const events = [`data: ${listJson(1)}\n\n`, `data: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } })}\n\n`];

  it("an event nobody wants passes unchanged and unread; a wanted one is read", async () => {
    const r = await run(events, { allow: ALL, wants: (data) => data.includes("progress") });
    expect(r.text).toBe(events.join(""));
    expect(r.messages).toEqual([{ jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } }]);
  });

  it("without `wants` every event is read", async () => {
    const r = await run(events, { allow: ALL });
    expect(r.messages).toHaveLength(2);
  });

  it("a restricted caller's events are all read and filtered, whatever `wants` says", async () => {
    const r = await run(events, { wants: () => false });
    expect(r.text).not.toContain(SECRET);
    expect(r.events).toHaveLength(2);
    expect(r.messages).toHaveLength(2);
  });
});
