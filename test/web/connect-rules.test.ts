// The pure rules behind the Connect panel, the playground and /mcpgw/mcp, as tables: client
// names, form fields from input schemas, arguments from form values, JSON-RPC answers in
// JSON and SSE, and grants cut to a token's servers.
import { describe, expect, it } from "vitest";
import { limitToServers } from "../../src/auth/token-servers.ts";
import { grantsFor, parsePolicy, can } from "../../src/auth/policy.ts";
import { clientNameOf } from "../../src/web/client/connect-config.ts";
import { messagesOf } from "../../src/web/client/mcp-call.ts";
import { argumentsOf, fieldsOf, kindOf, type Field } from "../../src/web/client/schema-form.ts";

describe("clientNameOf", () => {
  it.each([
    ["/weather", "weather"],
    ["/team/weather", "team-weather"],
    ["/a_b-c", "a_b-c"],
    ["/1password", "mcp-1password"],
    ["/_x", "mcp-_x"],
  ])("%s → %s", (path, name) => expect(clientNameOf(path)).toBe(name));
});

describe("kindOf", () => {
  it.each([
    [{ type: "string" }, "string"],
    [{ type: ["string", "null"] }, "string"],
    [{ type: "number" }, "number"],
    [{ type: "integer" }, "integer"],
    [{ type: "boolean" }, "boolean"],
    [{ type: "string", enum: ["a", "b"] }, "enum"],
    [{ enum: [1, 2] }, "enum"],
    [{ type: "array", items: { type: "string" } }, "string-list"],
    [{ type: "array", items: { type: "string", enum: ["a"] } }, "json"],
    [{ type: "array", items: { type: "number" } }, "json"],
    [{ type: "object" }, "json"],
    [{ type: ["string", "number"] }, "json"],
    [{ anyOf: [{ type: "string" }] }, "json"],
    [{ enum: [{ a: 1 }] }, "json"],
    [true, "json"],
  ] as const)("%j is %s", (schema, kind) => expect(kindOf(schema).kind).toBe(kind));
});

describe("fieldsOf", () => {
  it("lists required fields first, with descriptions and defaults", () => {
    const fields = fieldsOf({
      type: "object",
      properties: { b: { type: "string", description: "bee", default: "x" }, a: { type: "integer" } },
      required: ["a", 7],
    });
    expect(fields).toEqual([
      { name: "a", kind: "integer", required: true, description: "" },
      { name: "b", kind: "string", required: false, description: "bee", default: "x" },
    ]);
  });
  it.each([[null], [{}], [{ type: "object" }], [{ properties: [] }], ["x"]])("has no fields for %j", (schema) => expect(fieldsOf(schema)).toEqual([]));
});

describe("argumentsOf", () => {
  const f = (name: string, kind: Field["kind"], required = false, options?: unknown[]): Field => ({ name, kind, required, description: "", ...(options ? { options } : {}) });
  it.each([
    ["a string as typed", [f("s", "string")], { s: " hi " }, { ok: true, arguments: { s: " hi " } }],
    ["an empty optional field left out", [f("s", "string"), f("n", "number")], { s: "", n: "  " }, { ok: true, arguments: {} }],
    ["a missing required field", [f("s", "string", true)], { s: "" }, { ok: false, problems: [{ field: "s", message: "is required" }] }],
    ["a number", [f("n", "number")], { n: "2.5" }, { ok: true, arguments: { n: 2.5 } }],
    ["a number that is not one", [f("n", "number")], { n: "abc" }, { ok: false, problems: [{ field: "n", message: "must be a number" }] }],
    ["an integer with a fraction", [f("i", "integer")], { i: "2.5" }, { ok: false, problems: [{ field: "i", message: "must be a whole number" }] }],
    ["an unchecked optional box left out", [f("b", "boolean")], { b: false }, { ok: true, arguments: {} }],
    ["an unchecked required box as false", [f("b", "boolean", true)], { b: false }, { ok: true, arguments: { b: false } }],
    ["a checked box", [f("b", "boolean")], { b: true }, { ok: true, arguments: { b: true } }],
    ["an enum's number, not its text", [f("e", "enum", false, ["1", 1])], { e: "1" }, { ok: true, arguments: { e: 1 } }],
    ["an enum value that is not offered", [f("e", "enum", false, ["a"])], { e: '"b"' }, { ok: false, problems: [{ field: "e", message: "is not one of the choices" }] }],
    ["a list of strings, one per line", [f("l", "string-list")], { l: " a \n\nb\n" }, { ok: true, arguments: { l: ["a", "b"] } }],
    ["JSON", [f("j", "json")], { j: '{"x": [1]}' }, { ok: true, arguments: { j: { x: [1] } } }],
    ["JSON that does not parse", [f("j", "json")], { j: "{x" }, { ok: false, problems: [{ field: "j", message: "is not valid JSON" }] }],
  ] as const)("reads %s", (_name, fields, values, expected) => {
    expect(argumentsOf(fields, new Map(Object.entries(values)))).toEqual(expected);
  });
});

describe("messagesOf", () => {
  it.each([
    ["a JSON answer", "application/json", '{"jsonrpc":"2.0","id":1,"result":{}}', [{ jsonrpc: "2.0", id: 1, result: {} }]],
    ["a JSON batch", "application/json; charset=utf-8", '[{"id":1,"result":1},{"id":2,"result":2}]', [{ id: 1, result: 1 }, { id: 2, result: 2 }]],
    ["an empty 202", "", "", []],
    ["SSE events with a notification first", "text/event-stream", 'event: message\ndata: {"method":"notifications/progress"}\n\nid: 7\ndata: {"id":1,"result":3}\n\n', [{ method: "notifications/progress" }, { id: 1, result: 3 }]],
    ["SSE with CRLF and data split over lines", "text/event-stream", 'data: {"id":1,\r\ndata: "result":4}\r\n\r\n', [{ id: 1, result: 4 }]],
    ["SSE comments and empty events", "text/event-stream", ": keep-alive\n\n\n\ndata:{\"id\":2,\"result\":5}\n\n", [{ id: 2, result: 5 }]],
  ] as const)("reads %s", (_name, type, body, expected) => expect(messagesOf(type, body)).toEqual(expected));
});

describe("limitToServers", () => {
  const parsed = parsePolicy({
    groups: {
      team: [
        { servers: ["/weather/*", "/finance"], permissions: ["list_service", "use_service", "modify_service"], tools: ["get_*"] },
        { namespaces: ["com.acme"], permissions: ["publish"] },
      ],
    },
  });
  if (!parsed.ok) throw new Error("bad policy");
  const team = grantsFor({ groups: ["team"], scopes: ["use_service", "list_service", "publish"] }, parsed.policy, "admins");
  const admin = grantsFor({ groups: ["admins"], scopes: ["admin"] }, parsed.policy, "admins");

  it("leaves unlimited grants alone", () => expect(limitToServers(team, undefined)).toBe(team));

  it.each([
    ["a path inside a rule's prefix", team, ["/weather/eu"], [{ servers: ["/weather/eu"], namespaces: [], permissions: ["list_service", "use_service"], tools: ["get_*"] }]],
    ["a path no rule covers", team, ["/hr"], []],
    ["an admin's grants, on the paths only and never publish", admin, ["/hr"], [{ servers: ["/hr"], namespaces: [], permissions: ["list_service", "register_service", "modify_service", "toggle_service", "health_check_service", "use_service"], tools: ["all"] }]],
  ] as const)("cuts %s", (_name, grants, servers, rules) => {
    const limited = limitToServers(grants, servers);
    expect(limited.admin).toBe(false);
    expect(limited.rules).toEqual(rules);
    expect(limited.key).toBe(JSON.stringify(rules));
  });

  it("allows nothing outside its servers", () => {
    const limited = limitToServers(team, ["/weather/eu"]);
    expect(can(limited, "use_service", "/weather/eu")).toBe(true);
    expect(can(limited, "use_service", "/weather/us")).toBe(false);
    expect(can(limited, "use_service", "/finance")).toBe(false);
  });
});
