// Per-tool authorisation on JSON bodies: what a client may send (screenRequest) and what of an
// upstream's answer it may see (filterMessage / filterJsonBody). The client is untrusted and the
// upstream semi-trusted, so each table row is a framing trick, and each asserts on the bytes
// that would go on.
import { describe, expect, it } from "vitest";
import {
  filterJsonBody,
  filterMessage,
  RPC,
  screenRequest,
  screenText,
  type RequestScreen,
} from "../../src/gateway/messages.ts";
import { ALL, SECRET, SECRET_PROMPT, SECRET_URI, allowOnly } from "./messages-allow.ts";

const allow = allowOnly(["echo", "add"]);

const call = (name: string, id: unknown = 1) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: { text: "hi" } } });

type Reply = Extract<RequestScreen, { kind: "reply" }>;
type Forward = Extract<RequestScreen, { kind: "forward" }>;

function replyOf(screen: RequestScreen): Reply {
  expect(screen.kind).toBe("reply");
  return screen as Reply;
}
function forwardOf(screen: RequestScreen): Forward {
  expect(screen.kind).toBe("forward");
  return screen as Forward;
}

describe("screenRequest: what reaches the upstream", () => {
  // [case, body text, expected HTTP status of the gateway's own answer, JSON-RPC code, id in it]
  const refused: [string, string, number, number, unknown][] = [
    ["a tools/call of a tool not allowed", call(SECRET), 200, RPC.invalidParams, 1],
    ["the method spelled with a unicode escape", `{"jsonrpc":"2.0","id":2,"method":"tools\\u002fcall","params":{"name":"${SECRET}"}}`, 200, RPC.invalidParams, 2],
    ["the tool name spelled with unicode escapes", `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"forbidden\\u005fdrop\\u005Fdb"}}`, 200, RPC.invalidParams, 3],
    ["duplicate name keys, the refused one last (JSON.parse keeps the last)", `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","name":"${SECRET}"}}`, 200, RPC.invalidParams, 4],
    ["a method in other case", `{"jsonrpc":"2.0","id":5,"method":"Tools/Call","params":{"name":"${SECRET}"}}`, 400, RPC.invalidRequest, 5],
    ["a method with a trailing NUL", `{"jsonrpc":"2.0","id":6,"method":"tools/call\\u0000","params":{"name":"${SECRET}"}}`, 400, RPC.invalidRequest, 6],
    ["a method with a fullwidth solidus", `{"jsonrpc":"2.0","id":7,"method":"tools\uff0fcall","params":{"name":"${SECRET}"}}`, 400, RPC.invalidRequest, 7],
    ["a method with a trailing slash", `{"jsonrpc":"2.0","id":8,"method":"tools/call/","params":{"name":"${SECRET}"}}`, 400, RPC.invalidRequest, 8],
    ["a method with whitespace", `{"jsonrpc":"2.0","id":9,"method":" tools/call","params":{"name":"${SECRET}"}}`, 400, RPC.invalidRequest, 9],
    ["the tool name hidden in params.__proto__", `{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"__proto__":{"name":"${SECRET}"}}}`, 400, RPC.invalidRequest, 10],
    ["a message-level __proto__", `{"jsonrpc":"2.0","id":11,"method":"ping","__proto__":{"method":"tools/call","params":{"name":"${SECRET}"}}}`, 400, RPC.invalidRequest, 11],
    ["a tool name that is not a string", `{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":["${SECRET}"]}}`, 200, RPC.invalidParams, 12],
    ["positional params", `{"jsonrpc":"2.0","id":13,"method":"tools/call","params":["${SECRET}"]}`, 200, RPC.invalidParams, 13],
    ["tools/call without params", `{"jsonrpc":"2.0","id":14,"method":"tools/call"}`, 200, RPC.invalidParams, 14],
    ["tools/call as a notification (no id)", `{"jsonrpc":"2.0","method":"tools/call","params":{"name":"${SECRET}"}}`, 400, RPC.invalidRequest, null],
    ["a null id", `{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"${SECRET}"}}`, 400, RPC.invalidRequest, null],
    ["an object id", `{"jsonrpc":"2.0","id":{"a":1},"method":"tools/call","params":{"name":"${SECRET}"}}`, 400, RPC.invalidRequest, null],
    ["an id that overflows to Infinity (and would serialize as null)", `{"jsonrpc":"2.0","id":1e999,"method":"tools/call","params":{"name":"echo"}}`, 400, RPC.invalidRequest, null],
    ["jsonrpc 1.0", `{"jsonrpc":"1.0","id":15,"method":"tools/call","params":{"name":"echo"}}`, 400, RPC.invalidRequest, 15],
    ["no jsonrpc member", `{"id":16,"method":"tools/list"}`, 400, RPC.invalidRequest, 16],
    ["a string", `"tools/call"`, 400, RPC.invalidRequest, null],
    ["an empty batch", `[]`, 400, RPC.invalidRequest, null],
    ["not JSON", `{"jsonrpc":"2.0","id":1,"method":"tools/call"`, 400, RPC.parseError, null],
    ["a message neither request nor response", `{"jsonrpc":"2.0","id":17}`, 400, RPC.invalidRequest, 17],
    ["a response with both result and error", `{"jsonrpc":"2.0","id":18,"result":{},"error":{"code":1,"message":"x"}}`, 400, RPC.invalidRequest, 18],
    ["prompts/get of a prompt not allowed", `{"jsonrpc":"2.0","id":19,"method":"prompts/get","params":{"name":"${SECRET_PROMPT}"}}`, 200, RPC.invalidParams, 19],
    ["resources/read of a resource not allowed", `{"jsonrpc":"2.0","id":20,"method":"resources/read","params":{"uri":"${SECRET_URI}"}}`, 200, RPC.resourceNotFound, 20],
    ["resources/subscribe of a resource not allowed", `{"jsonrpc":"2.0","id":21,"method":"resources/subscribe","params":{"uri":"${SECRET_URI}"}}`, 200, RPC.resourceNotFound, 21],
    ["completion of a prompt not allowed", `{"jsonrpc":"2.0","id":22,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"${SECRET_PROMPT}"},"argument":{"name":"a","value":""}}}`, 200, RPC.invalidParams, 22],
    ["completion of a resource template not allowed", `{"jsonrpc":"2.0","id":23,"method":"completion/complete","params":{"ref":{"type":"ref/resource","uri":"${SECRET_URI}"},"argument":{"name":"a","value":""}}}`, 200, RPC.resourceNotFound, 23],
    ["completion with an unknown ref type", `{"jsonrpc":"2.0","id":24,"method":"completion/complete","params":{"ref":{"type":"ref/tool","name":"${SECRET}"}}}`, 200, RPC.invalidParams, 24],
  ];

  it.each(refused)("refuses %s: the gateway answers, the upstream gets nothing", (_name, text, status, code, id) => {
    const reply = replyOf(screenText(text, allow));
    expect(reply.status).toBe(status);
    const body = JSON.parse(reply.body) as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
    expect(body).toMatchObject({ jsonrpc: "2.0", id, error: { code } });
    expect(typeof body.error.message).toBe("string");
  });

  it("records what the policy refused, for the log", () => {
    expect(replyOf(screenText(call(SECRET, "a"), allow)).denied).toEqual([{ kind: "tool", name: SECRET, id: "a" }]);
    expect(replyOf(screenText(`{"jsonrpc":"2.0","id":1,"method":"Tools/Call","params":{"name":"x"}}`, allow)).denied).toEqual([]);
  });

  // [case, body text, what the upstream must see]
  const forwarded: [string, string, (sent: unknown, text: string) => void][] = [
    ["an allowed call", call("echo"), (sent) => expect(sent).toMatchObject({ method: "tools/call", params: { name: "echo" } })],
    [
      "duplicate name keys, the allowed one last: the upstream sees one name key",
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${SECRET}","name":"echo"}}`,
      (sent, text) => {
        expect(sent).toMatchObject({ params: { name: "echo" } });
        expect(text).not.toContain(SECRET);
      },
    ],
    [
      "duplicate method keys: the upstream sees the one that was checked",
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","method":"tools/list","params":{"name":"${SECRET}"}}`,
      (sent, text) => {
        expect(sent).toMatchObject({ method: "tools/list" });
        expect(text.match(/"method"/g)).toHaveLength(1);
      },
    ],
    [
      "the method spelled with a unicode escape reaches the upstream plainly",
      `{"jsonrpc":"2.0","id":"x","method":"tools\\u002fcall","params":{"name":"ech\\u006f"}}`,
      (_sent, text) => expect(text).toBe(`{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"echo"}}`),
    ],
    ["an odd string id", call("echo", "1\n\u2028{}"), (sent) => expect(sent).toMatchObject({ id: "1\n\u2028{}" })],
    ["tools/list", `{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"5"}}`, (sent) => expect(sent).toMatchObject({ method: "tools/list" })],
    ["a notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, (sent) => expect(sent).toEqual({ jsonrpc: "2.0", method: "notifications/initialized" })],
    ["a client's response to a server's request", `{"jsonrpc":"2.0","id":7,"result":{"roots":[]}}`, (sent) => expect(sent).toEqual({ jsonrpc: "2.0", id: 7, result: { roots: [] } })],
    ["an allowed prompt", `{"jsonrpc":"2.0","id":3,"method":"prompts/get","params":{"name":"greet"}}`, (sent) => expect(sent).toMatchObject({ params: { name: "greet" } })],
    ["an allowed resource", `{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"file:///ok.txt"}}`, (sent) => expect(sent).toMatchObject({ params: { uri: "file:///ok.txt" } })],
  ];

  it.each(forwarded)("forwards %s, re-serialized from what was checked", (_name, text, check) => {
    const forward = forwardOf(screenText(text, allow));
    check(JSON.parse(forward.body), forward.body);
  });

  it("lists the tool calls and methods of what it forwards", () => {
    const forward = forwardOf(screenText(`[${call("echo", 1)},${call("add", "b")},{"jsonrpc":"2.0","method":"notifications/x"}]`, allow));
    expect(forward.toolCalls).toEqual([{ id: 1, name: "echo" }, { id: "b", name: "add" }]);
    expect(forward.methods).toEqual(["tools/call", "tools/call", "notifications/x"]);
  });

  it("refuses a whole batch that mixes allowed and refused calls, answering each request in it", () => {
    const text = `[${call("echo", 1)},${call(SECRET, 2)},{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":0}}]`;
    const reply = replyOf(screenText(text, allow));
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body) as { id: unknown; error: { code: number } }[];
    expect(body.map((m) => m.id)).toEqual([1, 2]);
    expect(body[0]!.error.code).toBe(RPC.invalidRequest);
    expect(body[1]!.error.code).toBe(RPC.invalidParams);
    expect(reply.denied).toEqual([{ kind: "tool", name: SECRET, id: 2 }]);
  });

  it("answers a batch with an invalid member with an error for it and for every request", () => {
    const reply = replyOf(screenText(`[${call("echo", 1)},42,{"jsonrpc":"2.0","method":"notifications/x"}]`, allow));
    expect(reply.status).toBe(400);
    const body = JSON.parse(reply.body) as { id: unknown; error: { code: number } }[];
    expect(body.map((m) => [m.id, m.error.code])).toEqual([
      [1, RPC.invalidRequest],
      [null, RPC.invalidRequest],
    ]);
  });

  it("answers a refused batch of notifications only with one error", () => {
    const reply = replyOf(screenText(`[{"jsonrpc":"2.0","method":"tools/call","params":{"name":"${SECRET}"}}]`, allow));
    expect(JSON.parse(reply.body)).toMatchObject([{ id: null, error: { code: RPC.invalidRequest } }]);
  });

  it("refuses nesting too deep to write back, without throwing", () => {
    const deep = JSON.parse(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":${"[".repeat(200_000)}${"]".repeat(200_000)}}}`);
    expect(replyOf(screenRequest(deep, allow)).status).toBe(400);
  });

  it("with allow.all, forwards every tool and still lists the calls", () => {
    const forward = forwardOf(screenText(call(SECRET, 9), ALL));
    expect(JSON.parse(forward.body)).toMatchObject({ params: { name: SECRET } });
    expect(forward.toolCalls).toEqual([{ id: 9, name: SECRET }]);
    // Validity is still checked: the upstream would refuse it anyway.
    expect(replyOf(screenText(`{"jsonrpc":"2.0","id":null,"method":"x"}`, ALL)).status).toBe(400);
  });
});

const tool = (name: string) => ({ name, description: `the ${name} tool, ünïcødé ☃ 😀`, inputSchema: { type: "object" } });
const listAnswer = (id: unknown, names: string[], extra: object = {}) =>
  JSON.stringify({ jsonrpc: "2.0", id, result: { tools: names.map(tool), ...extra } });

describe("filterJsonBody: what of an upstream's JSON answer the client sees", () => {
  // [case, the upstream's text, the names the client must see]
  const answers: [string, string, string[]][] = [
    ["a tools/list answer", listAnswer(1, ["echo", SECRET, "add"]), ["echo", "add"]],
    ["an answer with a null id", listAnswer(null, [SECRET, "echo"]), ["echo"]],
    ["an answer with an odd id", listAnswer({ nested: [1] }, [SECRET, "echo"]), ["echo"]],
    ["an unsolicited list in a notification", JSON.stringify({ jsonrpc: "2.0", method: "x", result: { tools: [tool(SECRET)] } }), []],
    ["a paginated page", listAnswer(2, [SECRET], { nextCursor: "10" }), []],
    ["a duplicated result key, the secret one last", `{"jsonrpc":"2.0","id":1,"result":{"tools":[]},"result":${JSON.stringify({ tools: [tool(SECRET)] })}}`, []],
    ["a duplicated tools key", `{"jsonrpc":"2.0","id":1,"result":{"tools":[${JSON.stringify(tool("echo"))}],"tools":[${JSON.stringify(tool(SECRET))}]}}`, []],
    ["a duplicated name key in an entry", `{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"echo","name":"${SECRET}"}]}}`, []],
    ["a tool name spelled with unicode escapes", `{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"forbidden\\u005fdrop_db"},{"name":"ech\\u006f"}]}}`, ["echo"]],
    ["a message-level __proto__ holding a result", `{"jsonrpc":"2.0","id":1,"__proto__":{"result":{"tools":[${JSON.stringify(tool(SECRET))}]}}}`, []],
    ["a result-level __proto__ holding tools", `{"jsonrpc":"2.0","id":1,"result":{"__proto__":{"tools":[${JSON.stringify(tool(SECRET))}]},"tools":[]}}`, []],
    ["tools as an object rather than an array", `{"jsonrpc":"2.0","id":1,"result":{"tools":{"0":${JSON.stringify(tool(SECRET))},"length":1}}}`, []],
    ["entries that are not tools", `{"jsonrpc":"2.0","id":1,"result":{"tools":["${SECRET}",["${SECRET}"],{"name":["${SECRET}"]},null,{"title":"${SECRET}"}]}}`, []],
    ["a batch of answers", `[${listAnswer(1, [SECRET, "echo"])},{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}},42,"${SECRET}"]`, ["echo"]],
  ];

  it.each(answers)("filters %s", (_name, text, visible) => {
    const out = filterJsonBody(text, allow, [1]);
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain("forbidden");
    const names = [...out.matchAll(/"name":"([^"]*)"/g)].map((m) => m[1]);
    expect(names).toEqual(visible);
  });

  it("passes allowed entries intact, with the rest of the result", () => {
    const out = JSON.parse(filterJsonBody(listAnswer(5, ["echo", SECRET], { nextCursor: "abc", _meta: { x: 1 } }), allow)) as object;
    expect(out).toEqual({ jsonrpc: "2.0", id: 5, result: { tools: [tool("echo")], nextCursor: "abc", _meta: { x: 1 } } });
  });

  it("filters prompts, resources and resource templates", () => {
    const text = JSON.stringify([
      { jsonrpc: "2.0", id: 1, result: { prompts: [{ name: "greet" }, { name: SECRET_PROMPT }] } },
      { jsonrpc: "2.0", id: 2, result: { resources: [{ uri: "file:///ok.txt", name: "ok" }, { uri: SECRET_URI, name: "s" }] } },
      { jsonrpc: "2.0", id: 3, result: { resourceTemplates: [{ uriTemplate: "file:///{name}.md", name: "t" }, { uriTemplate: SECRET_URI, name: "u" }] } },
    ]);
    expect(JSON.parse(filterJsonBody(text, allow))).toEqual([
      { jsonrpc: "2.0", id: 1, result: { prompts: [{ name: "greet" }] } },
      { jsonrpc: "2.0", id: 2, result: { resources: [{ uri: "file:///ok.txt", name: "ok" }] } },
      { jsonrpc: "2.0", id: 3, result: { resourceTemplates: [{ uriTemplate: "file:///{name}.md", name: "t" }] } },
    ]);
  });

  // [case, the upstream's text]
  const garbage: [string, string][] = [
    ["text that is not JSON", `tools: ${SECRET}`],
    ["truncated JSON", listAnswer(1, [SECRET]).slice(0, -3)],
    ["JSON without jsonrpc", JSON.stringify({ id: 1, result: { tools: [tool(SECRET)] } })],
    ["a JSON string", JSON.stringify(SECRET)],
    ["a batch of no messages", JSON.stringify([SECRET, 1])],
  ];

  it.each(garbage)("fails closed on %s: a JSON-RPC error for each request, never the text", (_name, text) => {
    const one = filterJsonBody(text, allow, ["r1"]);
    expect(one).not.toContain(SECRET);
    expect(JSON.parse(one)).toMatchObject({ jsonrpc: "2.0", id: "r1", error: { code: RPC.internalError } });
    const two = JSON.parse(filterJsonBody(text, allow, [1, 2])) as { id: unknown }[];
    expect(two.map((m) => m.id)).toEqual([1, 2]);
  });

  it("with allow.all returns the very text, unparsed", () => {
    const text = `{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"${SECRET}"}]} } `;
    expect(filterJsonBody(text, ALL)).toBe(text);
    const message = { jsonrpc: "2.0", id: 1, result: { tools: [tool(SECRET)] } };
    expect(filterMessage(message, ALL)).toEqual({ ok: true, message });
  });

  it("does not change the message it filters", () => {
    const message = { jsonrpc: "2.0", id: 1, result: { tools: [tool(SECRET), tool("echo")] } };
    const before = structuredClone(message);
    const filtered = filterMessage(message, allow);
    expect(message).toEqual(before);
    expect(filtered).toEqual({ ok: true, message: { jsonrpc: "2.0", id: 1, result: { tools: [tool("echo")] } } });
  });
});
