// Group names that are also Object.prototype members (`constructor`, `__proto__`, ...)
// are names like any other: in the policy file, in updateAccessPolicy, and in a
// provider's group claim. Against the real server and a real OIDC provider.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, stopApp, type TestApp } from "../support/app.ts";
import { startIdp, type Idp } from "../support/idp.ts";
import { Policy, RegisterServer, UpdatePolicy, Viewer, VisiblePaths } from "../support/operations.ts";

const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];
/** Each group may list exactly one server: /p-0 for the first name, and so on. */
const pathOf = (name: string) => `/p-${NAMES.indexOf(name)}`;

let idp: Idp;
let app: TestApp;
let policyDir: string;

beforeAll(async () => {
  idp = await startIdp();
  policyDir = await fs.mkdtemp(path.join(os.tmpdir(), "policy-"));
  const policyFile = path.join(policyDir, "policy.yaml");
  const yaml = ["groups:"];
  for (const name of NAMES) yaml.push(`  ${name}:`, `    - servers: ${pathOf(name)}`, "      permissions: [list_service]");
  await fs.writeFile(policyFile, yaml.join("\n"));
  app = await startApp({
    env: {
      ACCESS_POLICY_FILE: policyFile,
      OIDC_PROVIDERS: "keycloak",
      OIDC_KEYCLOAK_ISSUER: idp.issuer,
      OIDC_KEYCLOAK_CLIENT_ID: idp.webClient.clientId,
      OIDC_KEYCLOAK_CLIENT_SECRET: idp.webClient.clientSecret,
      OIDC_KEYCLOAK_AUDIENCE: idp.audience,
    },
  });
  for (const name of NAMES) {
    await app.gqlOk(RegisterServer, { input: { name, path: pathOf(name), proxyPassUrl: "http://127.0.0.1:9/mcp" } });
  }
});

afterAll(async () => {
  await stopApp(app);
  await idp?.close();
  await fs.rm(policyDir, { recursive: true, force: true });
});

async function call<R, V>(doc: TypedDocumentNode<R, V>, variables: V, token: string) {
  const res = await fetch(`${app.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  return { status: res.status, ...((await res.json()) as { data?: R; errors?: unknown[] }) };
}

const tokenOf = (group: string) => idp.issueAccessToken({ preferredUsername: `member-of-${group}`, groups: [group] });

async function visiblePaths(token: string): Promise<string[]> {
  const seen = await call(VisiblePaths, { path: "/p-0" }, token);
  expect(seen.status).toBe(200);
  expect(seen.errors).toBeUndefined();
  return seen.data!.servers.edges.map((e) => e.node.path);
}

describe("group names that are Object.prototype members", () => {
  it.each(NAMES)("a member of %s gets 200s and exactly that group's permissions (policy file)", async (name) => {
    const token = await tokenOf(name);
    const me = await call(Viewer, {}, token);
    expect(me.status).toBe(200);
    expect(me.data?.viewer).toMatchObject({ groups: [name], isAdmin: false, scopes: ["list_service"] });
    expect(me.data?.viewer.permissions).toEqual([{ servers: [pathOf(name)], permissions: ["LIST_SERVICE"], tools: ["all"] }]);
    expect(await visiblePaths(token)).toEqual([pathOf(name)]);
    const rest = await fetch(`${app.url}/api/server_details/all`, { headers: { authorization: `Bearer ${token}` } });
    expect(rest.status).toBe(200);
    expect(Object.keys((await rest.json()) as object)).toEqual([pathOf(name)]);
  });

  it("a member of a group the policy does not name sees nothing, and a member of several sees the union", async () => {
    expect(await visiblePaths(await tokenOf("nobody"))).toEqual([]);
    const both = await idp.issueAccessToken({ preferredUsername: "both", groups: ["__proto__", "valueOf"] });
    expect((await visiblePaths(both)).sort()).toEqual([pathOf("__proto__"), pathOf("valueOf")].sort());
  });

  // Built with Object.fromEntries so that `__proto__` is an own key, as JSON.parse makes it.
  const documentFor = (grants: [string, string][]) => ({
    groups: Object.fromEntries(grants.map(([group, server]) => [group, [{ servers: [server], permissions: ["list_service"] }]])),
  });

  it.each([
    ["__proto__", "/p-2"],
    ["constructor", "/p-4"],
    ["/__proto__", "/p-3"],
  ])("updateAccessPolicy with a group named %s stores it as written, and it applies", async (group, server) => {
    const document = documentFor([[group, server], ["other", "/p-1"]]);
    const updated = await app.gqlOk(UpdatePolicy, { document });
    expect(updated.updateAccessPolicy.__typename).toBe("UpdateAccessPolicySuccess");
    const stored = (await app.gqlOk(Policy, {})).accessPolicy?.document as { groups: Record<string, unknown> };
    // jsonb keeps keys in its own order; compare the groups as entries.
    const entries = (groups: object) => Object.entries(groups).sort(([a], [b]) => a.localeCompare(b));
    expect(Object.keys(stored)).toEqual(["groups"]);
    expect(entries(stored.groups)).toEqual(entries(document.groups));
    expect(Object.keys(stored.groups).sort()).toEqual([group, "other"].sort());
    expect(await visiblePaths(await tokenOf(group.replace(/^\//, "")))).toEqual([server]);
    expect(await visiblePaths(await tokenOf("other"))).toEqual(["/p-1"]);
  });

  it("updateAccessPolicy refuses an invalid rule under a prototype-named group, naming it, and keeps the policy", async () => {
    const before = JSON.stringify((await app.gqlOk(Policy, {})).accessPolicy?.document);
    const document = { groups: Object.fromEntries([["__proto__", [{ servers: "nope", permissions: ["list_service"] }]]]) };
    const refused = await app.gqlOk(UpdatePolicy, { document });
    expect(refused.updateAccessPolicy).toMatchObject({
      __typename: "ValidationError",
      fieldErrors: [{ field: "groups.__proto__.0.servers" }],
    });
    expect(JSON.stringify((await app.gqlOk(Policy, {})).accessPolicy?.document)).toBe(before);
  });

  it.each(NAMES)("a member of %s gets 200s with no permissions when the policy does not name it", async (name) => {
    const updated = await app.gqlOk(UpdatePolicy, { document: documentFor([["other", "/p-1"]]) });
    expect(updated.updateAccessPolicy.__typename).toBe("UpdateAccessPolicySuccess");
    const token = await tokenOf(name);
    const me = await call(Viewer, {}, token);
    expect(me.status).toBe(200);
    expect(me.data?.viewer).toMatchObject({ groups: [name], isAdmin: false, scopes: [], permissions: [] });
    expect(await visiblePaths(token)).toEqual([]);
    const rest = await fetch(`${app.url}/api/server_details/all`, { headers: { authorization: `Bearer ${token}` } });
    expect(rest.status).toBe(200);
    expect(await rest.json()).toEqual({});
  });
});
