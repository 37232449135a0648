// graphql-codegen against the running server's URL, as a client project would point it:
// its introspection query passes the limits, and the schema's descriptions reach the
// generated types.
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { signInAsAdmin } from "../support/session.ts";

const run = promisify(execFile);
// Run from the project, where the plugins resolve; everything it writes goes to a temporary directory.
const CLI = path.resolve("node_modules/.bin/graphql-codegen");

let app: TestApp;
let dir: string;

beforeAll(async () => {
  app = await startApp();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "codegen-url-"));
});
afterAll(async () => {
  await stopApp(app);
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

async function codegen(name: string, headers: Record<string, string>) {
  const out = path.join(dir, name);
  const config = {
    schema: { [`${app.url}/graphql`]: { headers } },
    generates: {
      [path.join(out, "schema.graphql")]: { plugins: ["schema-ast"], config: { includeDirectives: false } },
      [path.join(out, "types.ts")]: { plugins: ["typescript"] },
    },
  };
  const file = path.join(dir, `${name}.codegen.json`);
  await fs.writeFile(file, JSON.stringify(config));
  await run(CLI, ["--config", file], { timeout: 120_000 }).catch((err: { stdout?: string; stderr?: string }) => {
    throw new Error(`graphql-codegen failed:\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  });
  return {
    schema: await fs.readFile(path.join(out, "schema.graphql"), "utf8"),
    types: await fs.readFile(path.join(out, "types.ts"), "utf8"),
  };
}

describe("graphql-codegen with the URL schema", () => {
  it("generates types from the server with a bearer token", async () => {
    const { schema, types } = await codegen("bearer", { authorization: `Bearer ${app.adminToken}` });
    expect(schema).toContain("type Server implements Node");
    expect(schema).toContain("type Subscription {");
    expect(schema).toContain('"""Whether the gateway uses and checks it. Servers start disabled."""');
    // Descriptions come through introspection into the generated code.
    expect(types).toMatch(/export type Server = Node & \{/);
    expect(types).toContain("/** Whether the gateway uses and checks it. Servers start disabled. */");
  }, 180_000);

  it("generates types with the session cookie", async () => {
    const cookie = await signInAsAdmin(app.url);
    const { schema } = await codegen("cookie", { cookie });
    expect(schema).toContain("type Query");
  }, 180_000);

  it("fails without a credential: introspection needs a signed-in caller", async () => {
    await expect(codegen("anonymous", {})).rejects.toThrow();
  }, 180_000);
});
