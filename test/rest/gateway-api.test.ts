// The product's REST API (gateway-api.md) against the real server: the document's own
// curl lines run with the curl binary, then a table per endpoint of status codes.
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PERMISSIONS } from "../../src/auth/policy.ts";
import { ADMIN, startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { RegisterServer, ToggleServer } from "../support/operations.ts";
import { restContract } from "../support/rest-contract.ts";
import { seedTools } from "../support/seed.ts";
import { signInAsAdmin } from "../support/session.ts";

const run = promisify(execFile);

let app: TestApp;
let workDir: string;
let cookie: string;
let bobToken: string;

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

beforeAll(async () => {
  app = await startApp();
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), "gateway-api-curl-"));
  cookie = await signInAsAdmin(app.url);
  // bob may list /team servers and toggle /team/open only; everything else is hidden from him.
  const problems = await app.auth.policy.update(
    {
      groups: {
        "team-a": [
          { servers: ["/team", "/team/*"], permissions: ["list_service"] },
          { servers: ["/team/open"], permissions: ["list_service", "toggle_service", "modify_service", "health_check_service"] },
        ],
      },
    },
    "test",
  );
  expect(problems).toEqual([]);
  bobToken = await tokenFor(app, { subject: "bob", username: "bob", groups: ["team-a"], scopes: [...PERMISSIONS] });
  for (const p of ["/team", "/team/open", "/secret"]) {
    await app.gqlOk(RegisterServer, { input: { name: `server ${p}`, path: p, proxyPassUrl: "http://127.0.0.1:9/mcp" } });
    await addTools(p, [
      { name: "get_data", description: "Reads data.\n\nArgs:\n    key (str): Which.\n\nReturns:\n    The value." },
    ]);
  }
  // Tools are served for enabled servers only (health checks are off: nothing is contacted).
  await app.gqlOk(ToggleServer, { path: "/team", enabled: true });
});

afterAll(async () => {
  await stopApp(app);
  if (workDir) await fs.rm(workDir, { recursive: true, force: true });
});

/** Tools as discovery would have stored them, each with the same input schema. */
async function addTools(serverPath: string, tools: { name: string; description: string }[]) {
  await seedTools(app, serverPath, tools.map((t) => ({ ...t, inputSchema: { type: "object", properties: { key: { type: "string" } } } })));
}

type Who = "admin" | "anonymous" | "bob";

async function call(
  method: string,
  url: string,
  opts: { who?: Who; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json; text: string; headers: Headers }> {
  const who = opts.who ?? "admin";
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  if (who === "admin") headers.cookie = cookie;
  if (who === "bob") headers.authorization = `Bearer ${bobToken}`;
  if (opts.form) headers["content-type"] ??= "application/x-www-form-urlencoded";
  const res = await fetch(`${app.url}${url}`, {
    method,
    headers,
    body: opts.form ? new URLSearchParams(opts.form).toString() : undefined,
    redirect: "manual",
  });
  const text = await res.text();
  (await restContract(app.url)).check(method, url, { status: res.status, headers: res.headers, text });
  let body: Json = {};
  try {
    body = JSON.parse(text) as Json;
  } catch {
    // HTML or empty
  }
  return { status: res.status, body, text, headers: res.headers };
}

// Copied verbatim from gateway-api.md; only localhost:7860 is replaced by the test server.
const DOC_EXAMPLES = [
  `curl -X POST http://localhost:7860/register \\
-b cookies.txt \\
-d "name=Weather Service&description=Provides weather forecasts&path=/weather&proxy_pass_url=http://localhost:8000&tags=weather,forecast&num_tools=3&num_stars=4&is_python=true&license=MIT"`,
  `curl -X POST http://localhost:7860/toggle/weather \\
-b cookies.txt \\
-d "enabled=on"`,
  `curl -X POST http://localhost:7860/toggle/weather \\
-b cookies.txt`,
  `curl -X POST http://localhost:7860/edit/weather \\
-b cookies.txt \\
-d "name=Weather API&description=Updated weather service&proxy_pass_url=http://localhost:8001&tags=weather,api&num_tools=5&num_stars=5&is_python=true&license=MIT"`,
  `curl -X GET http://localhost:7860/api/server_details/weather \\
-b cookies.txt`,
  `curl -X GET http://localhost:7860/api/server_details/all \\
-b cookies.txt`,
  `curl -X GET http://localhost:7860/api/tools/weather \\
-b cookies.txt`,
  `curl -X GET http://localhost:7860/api/tools/all \\
-b cookies.txt`,
  `curl -X POST http://localhost:7860/api/refresh/weather \\
-b cookies.txt`,
];

/** Runs one documented command through the shell, as a user would paste it, with -i for the status line. */
async function curl(command: string, extra = ""): Promise<{ status: number; body: Json; headers: string }> {
  const local = command.replaceAll("http://localhost:7860", app.url).replace(/^curl /, `curl -s -i ${extra}`);
  const { stdout } = await run("bash", ["-c", local], { cwd: workDir });
  const [head = "", ...rest] = stdout.split(/\r\n\r\n/);
  const body = rest.join("\r\n\r\n");
  const isJson = /\r\ncontent-type: application\/json/i.test(head);
  const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(head)?.[1]);
  const headers = new Headers(
    head
      .split("\r\n")
      .slice(1)
      .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()] as [string, string]),
  );
  const [, method = "GET", url = ""] = /-X (\w+) (\S+)/.exec(local) ?? [];
  (await restContract(app.url)).check(method, url, { status, headers, text: body });
  return { status, body: isJson ? (JSON.parse(body) as Json) : {}, headers: head };
}

describe("the document's curl examples", () => {
  it("appear verbatim in gateway-api.md (when the contract is checked out beside the repo)", async () => {
    const doc = await fs.readFile(path.resolve("../shared/spec/gateway-api.md"), "utf8").catch(() => null);
    if (doc === null) return;
    for (const example of DOC_EXAMPLES) expect(doc).toContain(example);
  });

  it("work as written with a cookie jar from the local admin login", async () => {
    await run("curl", ["-s", "-o", "/dev/null", "-c", "cookies.txt", "-d", `username=${ADMIN.username}&password=${ADMIN.password}`, `${app.url}/login`], {
      cwd: workDir,
    });
    const [register, enable, disable, edit, details, all, tools, allTools, refresh] = DOC_EXAMPLES;

    const r = await curl(register!);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      message: "Service registered successfully",
      service: {
        path: "/weather",
        name: "Weather Service",
        description: "Provides weather forecasts",
        proxy_pass_url: "http://localhost:8000",
        tags: ["weather", "forecast"],
        num_tools: 3,
        num_stars: 4,
        is_python: true,
        license: "MIT",
        is_enabled: false,
        health_status: "disabled",
        tool_list: [],
      },
    });
    await addTools("/weather", [{ name: "get_forecast", description: "Forecast.\n\nArgs:\n    city: The city." }]);

    const on = await curl(enable!);
    expect(on.status).toBe(200);
    expect(on.body).toEqual({
      message: expect.any(String),
      service_path: "/weather",
      new_enabled_state: true,
      status: expect.any(String),
      last_checked_iso: null,
      num_tools: 3,
    });
    const off = await curl(disable!);
    expect(off.body).toMatchObject({ service_path: "/weather", new_enabled_state: false, status: "disabled" });

    const e = await curl(edit!);
    expect(e.status).toBe(303);
    expect(e.headers).toMatch(/\r\nlocation: \/\r\n/i);

    const d = await curl(details!);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({
      path: "/weather",
      name: "Weather API",
      description: "Updated weather service",
      proxy_pass_url: "http://localhost:8001",
      tags: ["weather", "api"],
      num_tools: 5,
      num_stars: 5,
      license: "MIT",
      is_enabled: false,
      tool_list: [{ name: "get_forecast", parsed_description: { main: "Forecast.", args: "city: The city." } }],
    });

    const a = await curl(all!);
    expect(Object.keys(a.body).sort()).toEqual(["/secret", "/team", "/team/open", "/weather"]);
    expect(a.body["/weather"]).toEqual(d.body);

    // A disabled server's tools are refused (its list may be stale); enabled, they are served.
    const refused = await curl(tools!);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: { code: "SERVER_DISABLED", message: "Server /weather is disabled" } });
    expect((await curl(enable!)).status).toBe(200);
    const t = await curl(tools!);
    expect(t.body).toEqual({
      service_path: "/weather",
      tools: [
        {
          name: "get_forecast",
          description: "Forecast.\n\nArgs:\n    city: The city.",
          parsed_description: { main: "Forecast.", args: "city: The city.", returns: null, raises: null },
          schema: { type: "object", properties: { key: { type: "string" } } },
        },
      ],
    });

    const at = await curl(allTools!);
    expect(at.body.service_path).toBe("all");
    expect(at.body.tools).toContainEqual(expect.objectContaining({ name: "get_forecast", server_path: "/weather", server_name: "Weather API" }));
    expect(Object.keys(at.body.servers as object).sort()).toEqual(["/secret", "/team", "/team/open", "/weather"]);

    // Disabled again: a refresh contacts nothing, and the caller is told so.
    expect((await curl(disable!)).status).toBe(200);
    const f = await curl(refresh!);
    expect(f.status).toBe(400);
    expect(f.body).toEqual({ error: { code: "SERVER_DISABLED", message: "Server /weather is disabled" } });
  });

  it("work with a bearer token in place of the cookie jar", async () => {
    const bearer = `-H "Authorization: Bearer ${app.adminToken}" `;
    const details = DOC_EXAMPLES[4]!.replace("-b cookies.txt", "");
    const r = await curl(details, bearer);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ path: "/weather" });
    const unauth = await curl(details);
    expect(unauth.status).toBe(401);
    expect(unauth.body).toEqual({ error: { code: "UNAUTHENTICATED", message: expect.any(String) } });
  });
});

type Case = {
  name: string;
  method: string;
  url: string;
  who?: Who;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  status: number;
  code?: string;
  message?: string | RegExp;
};

const valid = { name: "New", description: "d", path: "/new", proxy_pass_url: "http://127.0.0.1:9/mcp" };

const cases: Case[] = [
  // POST /register
  { name: "registers with every optional field", method: "POST", url: "/register", status: 201,
    form: { ...valid, tags: " A, b ,,", num_tools: "2", num_stars: "3", is_python: "on", license: "MIT", metadata: '{"team":"x"}', transport: "sse" } },
  { name: "refuses a second server at the same path", method: "POST", url: "/register", form: { ...valid, path: "/team" }, status: 409, code: "CONFLICT" },
  { name: "names a missing proxy_pass_url", method: "POST", url: "/register", form: { name: "x", description: "d", path: "/x" }, status: 400, code: "VALIDATION_ERROR", message: "proxy_pass_url is required" },
  { name: "names a missing description (required by the document)", method: "POST", url: "/register", form: { name: "x", path: "/x", proxy_pass_url: "http://127.0.0.1:9/mcp" }, status: 400, code: "VALIDATION_ERROR", message: "description is required" },
  { name: "names an invalid proxy_pass_url", method: "POST", url: "/register", form: { ...valid, path: "/x", proxy_pass_url: "ftp://h" }, status: 400, message: /^proxy_pass_url must/ },
  { name: "names a non-numeric num_stars", method: "POST", url: "/register", form: { ...valid, path: "/x", num_stars: "four" }, status: 400, message: /^num_stars / },
  { name: "names a negative num_stars", method: "POST", url: "/register", form: { ...valid, path: "/x", num_stars: "-1" }, status: 400, message: /^num_stars must be a whole number, 0 or more/ },
  { name: "names metadata that is not JSON", method: "POST", url: "/register", form: { ...valid, path: "/x", metadata: "{nope" }, status: 400, message: /^metadata / },
  { name: "names metadata that is not an object", method: "POST", url: "/register", form: { ...valid, path: "/x", metadata: "[1]" }, status: 400, message: /^metadata must be a JSON object/ },
  { name: "names a bad path", method: "POST", url: "/register", form: { ...valid, path: "/a b" }, status: 400, message: /^path / },
  { name: "names an unknown transport", method: "POST", url: "/register", form: { ...valid, path: "/x", transport: "carrier-pigeon" }, status: 400, message: /^transport / },
  { name: "refuses another content type with 415", method: "POST", url: "/register", form: valid, headers: { "content-type": "text/plain" }, status: 415 },
  { name: "refuses an anonymous register", method: "POST", url: "/register", who: "anonymous", form: valid, status: 401, code: "UNAUTHENTICATED" },
  { name: "refuses a register without the permission", method: "POST", url: "/register", who: "bob", form: { ...valid, path: "/team/new" }, status: 403, code: "FORBIDDEN" },

  // POST /toggle/{service_path}
  { name: "enables with enabled=on", method: "POST", url: "/toggle/team/open", form: { enabled: "on" }, status: 200 },
  { name: "lets a permitted user toggle", method: "POST", url: "/toggle/team/open", who: "bob", form: {}, status: 200 },
  { name: "toggle: forbidden where the user may only list", method: "POST", url: "/toggle/team", who: "bob", form: { enabled: "on" }, status: 403, code: "FORBIDDEN" },
  { name: "toggle: not-found for a hidden server", method: "POST", url: "/toggle/secret", who: "bob", form: { enabled: "on" }, status: 404, code: "NOT_FOUND" },
  { name: "toggle: not-found for an unknown server", method: "POST", url: "/toggle/nowhere", form: { enabled: "on" }, status: 404, code: "NOT_FOUND" },
  { name: "toggle: 415 for another content type", method: "POST", url: "/toggle/team", form: { enabled: "on" }, headers: { "content-type": "text/plain" }, status: 415 },
  { name: "toggle: 401 anonymous", method: "POST", url: "/toggle/team", who: "anonymous", status: 401, code: "UNAUTHENTICATED" },

  // GET and POST /edit/{service_path}
  { name: "edit form: 200", method: "GET", url: "/edit/team", headers: { accept: "text/html" }, status: 200 },
  { name: "edit form: not-found for a hidden server", method: "GET", url: "/edit/secret", who: "bob", status: 404, code: "NOT_FOUND" },
  { name: "edit form: not-found for an unknown server", method: "GET", url: "/edit/nowhere", status: 404, code: "NOT_FOUND" },
  { name: "edit form: 401 anonymous API client", method: "GET", url: "/edit/team", who: "anonymous", status: 401 },
  { name: "edit: a browser is sent back to /", method: "POST", url: "/edit/team", form: { license: "MIT" }, headers: { accept: "text/html" }, status: 303 },
  { name: "edit: names an invalid field", method: "POST", url: "/edit/team", form: { num_tools: "-1" }, status: 400, message: /^num_tools / },
  { name: "edit: names a bad is_python", method: "POST", url: "/edit/team", form: { is_python: "maybe" }, status: 400, message: /^is_python / },
  { name: "edit: conflict when moving onto a taken path", method: "POST", url: "/edit/team", form: { path: "/secret" }, status: 409, code: "CONFLICT" },
  { name: "edit: forbidden where the user may only list", method: "POST", url: "/edit/team", who: "bob", form: { name: "x" }, status: 403, code: "FORBIDDEN" },
  { name: "edit: not-found for a hidden server", method: "POST", url: "/edit/secret", who: "bob", form: { name: "x" }, status: 404, code: "NOT_FOUND" },
  { name: "edit: not-found for an unknown server", method: "POST", url: "/edit/nowhere", form: { name: "x" }, status: 404, code: "NOT_FOUND" },
  { name: "edit: 401 anonymous", method: "POST", url: "/edit/team", who: "anonymous", form: { name: "x" }, status: 401, code: "UNAUTHENTICATED" },

  // GET /api/server_details/{service_path}
  { name: "details: 200", method: "GET", url: "/api/server_details/team", status: 200 },
  { name: "details: a listed server for a restricted user", method: "GET", url: "/api/server_details/team", who: "bob", status: 200 },
  { name: "details: not-found for a hidden server", method: "GET", url: "/api/server_details/secret", who: "bob", status: 404, code: "NOT_FOUND" },
  { name: "details: not-found for an unknown server", method: "GET", url: "/api/server_details/nowhere", status: 404, code: "NOT_FOUND" },
  { name: "details: not-found for a path that cannot exist", method: "GET", url: "/api/server_details/a%20b", status: 404, code: "NOT_FOUND" },
  { name: "details: 401 anonymous", method: "GET", url: "/api/server_details/all", who: "anonymous", status: 401, code: "UNAUTHENTICATED" },

  // GET /api/tools/{service_path}
  { name: "tools: 200", method: "GET", url: "/api/tools/team", status: 200 },
  { name: "tools: not-found for a hidden server", method: "GET", url: "/api/tools/secret", who: "bob", status: 404, code: "NOT_FOUND" },
  { name: "tools: not-found for an unknown server", method: "GET", url: "/api/tools/nowhere", status: 404, code: "NOT_FOUND" },
  { name: "tools: 401 anonymous", method: "GET", url: "/api/tools/all", who: "anonymous", status: 401, code: "UNAUTHENTICATED" },

  // POST /api/refresh/{service_path}
  { name: "refresh: a disabled server is refused, not contacted", method: "POST", url: "/api/refresh/secret", status: 400, code: "SERVER_DISABLED", message: "Server /secret is disabled" },
  { name: "refresh: forbidden without health_check_service", method: "POST", url: "/api/refresh/team", who: "bob", status: 403, code: "FORBIDDEN" },
  { name: "refresh: not-found for a hidden server", method: "POST", url: "/api/refresh/secret", who: "bob", status: 404, code: "NOT_FOUND" },
  { name: "refresh: not-found for an unknown server", method: "POST", url: "/api/refresh/nowhere", status: 404, code: "NOT_FOUND" },
  { name: "refresh: 401 anonymous", method: "POST", url: "/api/refresh/team", who: "anonymous", status: 401, code: "UNAUTHENTICATED" },
];

describe("status codes", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const res = await call(c.method, c.url, { who: c.who, form: c.form, headers: c.headers });
    expect(res.status, res.text).toBe(c.status);
    if (c.status >= 400) {
      expect(res.body).toEqual({ error: { code: c.code ?? expect.any(String), message: expect.any(String) } });
      if (c.message !== undefined) expect(res.body.error!.message).toMatch(c.message);
    }
  });
});

describe("shapes", () => {
  it("register returns the server in snake_case, with metadata and normalised tags", async () => {
    const res = await call("POST", "/register", {
      form: { ...valid, path: "shape/one/", tags: "B,a", metadata: '{"owner":"alice@example.com"}', transport: "streamable-http" },
    });
    expect(res.status).toBe(201);
    expect(res.body.service).toEqual({
      path: "/shape/one",
      name: "New",
      server_name: "New",
      description: "d",
      proxy_pass_url: "http://127.0.0.1:9/mcp",
      gateway_url: `${app.config.publicUrl}/shape/one/mcp`,
      tags: ["b", "a"],
      num_tools: 0,
      num_stars: 0,
      is_python: false,
      license: "N/A",
      metadata: { owner: "alice@example.com" },
      transport: "streamable_http",
      upstream_timeout_seconds: null,
      is_enabled: false,
      health_status: "disabled",
      last_checked_iso: null,
      tool_list: [],
    });
  });

  it("edit changes only the fields sent, keeps the tools, and answers JSON to a JSON client", async () => {
    await call("POST", "/register", { form: { ...valid, path: "/edit-me", tags: "keep", license: "MIT" } });
    await addTools("/edit-me", [{ name: "t1", description: "one" }]);
    const res = await call("POST", "/edit/edit-me", { form: { description: "changed" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      path: "/edit-me",
      name: "New",
      description: "changed",
      tags: ["keep"],
      license: "MIT",
      tool_list: [{ name: "t1", description: "one" }],
    });
  });

  it("the edit form is pre-filled, escaped, and posts back to /edit/{path}", async () => {
    await call("POST", "/register", { form: { ...valid, path: "/html/x", name: `<script>alert("x")</script>`, metadata: '{"a":"<b>"}' } });
    const res = await call("GET", "/edit/html/x", { headers: { accept: "text/html" } });
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.text).not.toContain("<script>alert");
    expect(res.text).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(res.text).toContain('action="/edit/html/x"');
    expect(res.text).toContain('name="proxy_pass_url" value="http://127.0.0.1:9/mcp"');
    expect(res.text).toContain('<label for="name">Name</label>');
    expect(res.text).not.toContain('"<b>"');
  });

  it("an anonymous browser asking for the edit form is sent to sign in", async () => {
    const res = await call("GET", "/edit/team", { who: "anonymous", headers: { accept: "text/html" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?next=%2Fedit%2Fteam");
  });

  it("details and tools for all show a restricted user only what it may list", async () => {
    const details = await call("GET", "/api/server_details/all", { who: "bob" });
    expect(Object.keys(details.body).sort()).toEqual(["/team", "/team/open"]);
    const tools = await call("GET", "/api/tools/all", { who: "bob" });
    expect(Object.keys(tools.body.servers as object).sort()).toEqual(["/team", "/team/open"]);
    expect((tools.body.tools as { server_path: string }[]).every((t) => t.server_path.startsWith("/team"))).toBe(true);
  });

  it("tools parse the description's docstring sections", async () => {
    const res = await call("GET", "/api/tools/team");
    expect(res.body).toEqual({
      service_path: "/team",
      tools: [
        {
          name: "get_data",
          description: expect.any(String),
          parsed_description: { main: "Reads data.", args: "key (str): Which.", returns: "The value.", raises: null },
          schema: expect.any(Object),
        },
      ],
    });
  });

  it("toggle and refresh report the new state", async () => {
    const on = await call("POST", "/toggle/secret", { form: { enabled: "on" } });
    expect(on.body).toMatchObject({ service_path: "/secret", new_enabled_state: true, num_tools: 0 });
    const off = await call("POST", "/toggle/secret", { form: {} });
    expect(off.body).toMatchObject({ service_path: "/secret", new_enabled_state: false, status: "disabled" });
  });

  it("pages through more tools than one GraphQL page holds", async () => {
    await call("POST", "/register", { form: { ...valid, path: "/many" } });
    await addTools("/many", Array.from({ length: 1_005 }, (_, i) => ({ name: `tool_${String(i).padStart(4, "0")}`, description: "" })));
    const res = await call("GET", "/api/tools/all");
    expect((res.body.servers as Record<string, unknown[]>)["/many"]).toHaveLength(1_005);
  });
});
