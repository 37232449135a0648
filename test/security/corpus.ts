// The hostile-input corpus: every HTTP endpoint family crossed with the payloads an
// attacker or a broken client sends. Each case says whether it must be refused (a 4xx)
// or merely survived (anything but a 5xx). Cases that write only ever carry payloads
// that must be refused, so that "no data changed" holds for the whole corpus.

export type Family = "legacy" | "tokens" | "graphql" | "registry" | "sign-in" | "pages";

export type Case = {
  family: Family;
  name: string;
  method: string;
  /** Path and query, already percent-encoded. */
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** "refuse": must be a 4xx. "survive": must not be a 5xx (a read of odd text may well succeed). */
  expect: "refuse" | "survive";
  /** Sent without the admin's token. */
  anonymous?: boolean;
};

/** A server that exists while the corpus runs; writes aimed at it carry only refused payloads. */
export const FIXTURE_PATH = "/fixture";
/** A published registry entry that exists while the corpus runs. */
export const FIXTURE_NAME = "com.example/fixture";

/** How deep the "deep" payloads nest: deeper than any limit, and past where recursion used to fail (124). */
const DEEP = 200;

export const deepObject = (depth: number, leaf: unknown = 1): unknown => {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};
export const deepArray = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

/** Payloads for one path segment or query value, percent-encoded as they go on the wire. */
const URL_PAYLOADS: { kind: string; value: string; refuse: boolean }[] = [
  { kind: "NUL", value: "%00", refuse: true },
  { kind: "NUL inside text", value: "a%00b", refuse: true },
  { kind: "raw-looking NUL in UTF-8 overlong form", value: "%C0%80", refuse: false },
  { kind: "bad percent escape", value: "%zz", refuse: false },
  { kind: "truncated percent escape", value: "%E0%A4%A", refuse: false },
  { kind: "lone surrogate as UTF-8", value: "%ED%A0%80", refuse: false },
  { kind: "invalid UTF-8 byte", value: "%FF", refuse: false },
  { kind: "long text", value: "a".repeat(4_000), refuse: false },
  { kind: "traversal", value: "..%2F..%2Fetc%2Fpasswd", refuse: false },
  { kind: "prototype key", value: "__proto__", refuse: false },
  { kind: "CRLF injection", value: "%0D%0ASet-Cookie%3A%20x%3D1", refuse: false },
  { kind: "markup", value: "%3Cscript%3Ealert(1)%3C%2Fscript%3E", refuse: false },
  { kind: "SQL-looking text", value: "'%20OR%201%3D1--", refuse: false },
  { kind: "emoji", value: "%F0%9F%92%A9", refuse: false },
];

type PathEndpoint = { family: Family; method: string; url: (p: string) => string; body?: string; headers?: Record<string, string>; anonymous?: boolean };

const form = { "content-type": "application/x-www-form-urlencoded" };
const jsonType = { "content-type": "application/json" };
const html = { accept: "text/html" };

const PATH_ENDPOINTS: PathEndpoint[] = [
  { family: "legacy", method: "GET", url: (p) => `/api/server_details/${p}` },
  { family: "legacy", method: "GET", url: (p) => `/api/tools/${p}` },
  { family: "legacy", method: "GET", url: (p) => `/edit/${p}` },
  { family: "legacy", method: "POST", url: (p) => `/toggle/${p}`, body: "enabled=on", headers: form },
  { family: "legacy", method: "POST", url: (p) => `/edit/${p}`, body: "description=x", headers: form },
  { family: "legacy", method: "POST", url: (p) => `/api/refresh/${p}` },
  { family: "tokens", method: "POST", url: (p) => `/api/tokens/${p}/revoke` },
  { family: "registry", method: "GET", url: (p) => `/v0.1/servers/${p}/versions` },
  { family: "registry", method: "GET", url: (p) => `/v0.1/servers/${p}/versions/1.0.0` },
  { family: "registry", method: "GET", url: (p) => `/v0/servers/com.example%2Ffixture/versions/${p}` },
  {
    family: "registry",
    method: "PATCH",
    url: (p) => `/v0.1/servers/${p}/status`,
    body: JSON.stringify({ status: "deprecated" }),
    headers: jsonType,
  },
  { family: "sign-in", method: "GET", url: (p) => `/auth/${p}`, anonymous: true },
  { family: "sign-in", method: "GET", url: (p) => `/auth/${p}/callback?code=x&state=y`, anonymous: true },
  { family: "pages", method: "GET", url: (p) => `/assets/${p}`, anonymous: true },
];

type QueryEndpoint = { family: Family; method: string; url: (v: string) => string; headers?: Record<string, string>; anonymous?: boolean };

const QUERY_ENDPOINTS: QueryEndpoint[] = [
  { family: "registry", method: "GET", url: (v) => `/v0.1/servers?search=${v}` },
  { family: "registry", method: "GET", url: (v) => `/v0.1/servers?cursor=${v}` },
  { family: "registry", method: "GET", url: (v) => `/v0.1/servers?version=${v}` },
  { family: "registry", method: "GET", url: (v) => `/v0/servers?updated_since=${v}&limit=${v}` },
  { family: "tokens", method: "GET", url: (v) => `/api/tokens?all=${v}` },
  { family: "graphql", method: "GET", url: (v) => `/graphql?query=%7Bservers(search%3A%22${v}%22)%7BtotalCount%7D%7D` },
  { family: "graphql", method: "GET", url: (v) => `/graphql?query=query(%24s%3AString)%7Bservers(search%3A%24s)%7BtotalCount%7D%7D&variables=${v}` },
  { family: "pages", method: "GET", url: (v) => `/?q=${v}`, headers: html },
  { family: "pages", method: "GET", url: (v) => `/tools?q=${v}`, headers: html },
  { family: "pages", method: "GET", url: (v) => `/tokens?x=${v}`, headers: html },
  { family: "sign-in", method: "GET", url: (v) => `/login?next=${v}`, anonymous: true, headers: html },
  { family: "legacy", method: "GET", url: (v) => `/api/server_details/all?x=${v}` },
];

/** Text fields carrying hostile characters; the rest of each body is valid, so only the text can be the reason to refuse. */
const NUL = "a\u0000b";
const LONE_SURROGATE = "a\ud800b";

type BodyCase = {
  family: Family;
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  anonymous?: boolean;
  /** Default "refuse". */
  expect?: Case["expect"];
};

const formOf = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
// JSON.stringify writes a lone surrogate as the escape \ud800, as a client would send it.
const jsonOf = (value: unknown) => JSON.stringify(value);

const register = { name: "Hostile", description: "d", path: "/hostile", proxy_pass_url: "http://127.0.0.1:9/mcp" };
const serverJson = {
  $schema: "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
  name: "com.example/hostile",
  description: "A server",
  version: "1.0.0",
};
const query = "mutation($input: RegisterServerInput!) { registerServer(input: $input) { __typename } }";

function bodyCases(): BodyCase[] {
  const out: BodyCase[] = [];
  const fieldsCases = (
    family: Family,
    method: string,
    url: string,
    valid: Record<string, string>,
    fields: string[],
    opts: { anonymous?: boolean; readsMetadata?: boolean } = {},
  ) => {
    const { anonymous } = opts;
    for (const field of fields) {
      out.push({ family, name: `form ${field} with NUL`, method, url, headers: form, body: formOf({ ...valid, [field]: NUL }), anonymous });
      out.push({ family, name: `JSON ${field} with NUL`, method, url, headers: jsonType, body: jsonOf({ ...valid, [field]: NUL }), anonymous });
      // A form cannot carry a lone surrogate: percent-encoding one writes U+FFFD.
      out.push({ family, name: `JSON ${field} with lone surrogate`, method, url, headers: jsonType, body: jsonOf({ ...valid, [field]: LONE_SURROGATE }), anonymous });
    }
    out.push({ family, name: "a form field name with NUL", method, url, headers: form, body: formOf({ ...valid, [NUL]: "x" }), anonymous });
    if (opts.readsMetadata) {
      out.push({ family, name: "form with a deep JSON metadata", method, url, headers: form, body: formOf({ ...valid, metadata: jsonOf(deepObject(DEEP)) }), anonymous });
    }
    out.push({ family, name: "JSON nested deep", method, url, headers: jsonType, body: jsonOf({ ...valid, extra: deepObject(DEEP) }), anonymous });
    out.push({ family, name: "JSON arrays nested deep", method, url, headers: jsonType, body: jsonOf({ ...valid, extra: deepArray(DEEP) }), anonymous });
    out.push({ family, name: "JSON that does not parse", method, url, headers: jsonType, body: '{"name": ', anonymous });
    out.push({ family, name: "a JSON list", method, url, headers: jsonType, body: "[]", anonymous });
    out.push({ family, name: "JSON null", method, url, headers: jsonType, body: "null", anonymous });
    out.push({ family, name: "text/plain", method, url, headers: { "content-type": "text/plain" }, body: formOf(valid), anonymous });
    out.push({ family, name: "XML", method, url, headers: { "content-type": "application/xml" }, body: "<a/>", anonymous });
  };
  fieldsCases("legacy", "POST", "/register", register, ["name", "description", "path", "proxy_pass_url", "tags", "license"], { readsMetadata: true });
  fieldsCases("legacy", "POST", `/edit${FIXTURE_PATH}`, { description: "changed" }, ["name", "description", "tags"], { readsMetadata: true });
  fieldsCases("legacy", "POST", `/toggle${FIXTURE_PATH}`, { enabled: "off" }, ["enabled"]);
  fieldsCases("tokens", "POST", "/api/tokens/generate", { scopes: "list_service", expires_in: "60", description: "d" }, ["description", "scopes", "expires_in"]);
  fieldsCases("sign-in", "POST", "/login", { username: "admin", password: "test-admin-password" }, ["username", "password", "next"], { anonymous: true });

  // Numbers outside every range.
  for (const expires of ["2147483648", "99999999999999999999", "1e400", "-1", "0x10"]) {
    out.push({ family: "tokens", name: `expires_in ${expires}`, method: "POST", url: "/api/tokens/generate", headers: form, body: formOf({ expires_in: expires }) });
    out.push({ family: "tokens", name: `JSON expires_in ${expires}`, method: "POST", url: "/api/tokens/generate", headers: jsonType, body: `{"expires_in": ${/^\d/.test(expires) && !expires.startsWith("0x") ? expires : `"${expires}"`}}` });
  }
  for (const metadata of [jsonOf({ a: NUL }), jsonOf({ a: LONE_SURROGATE }), jsonOf({ [NUL]: 1 }), "{", "[]"]) {
    out.push({ family: "legacy", name: `metadata ${JSON.stringify(metadata).slice(0, 30)}`, method: "POST", url: "/register", headers: form, body: formOf({ ...register, metadata }) });
  }

  // GraphQL over POST: the same text in variables, in the document, and broken envelopes.
  const gqlInput = { name: "Hostile", path: "/hostile", proxyPassUrl: "http://127.0.0.1:9/mcp" };
  const gql = (name: string, body: string, headers: Record<string, string> = jsonType, expect: Case["expect"] = "refuse") =>
    out.push({ family: "graphql", name, method: "POST", url: "/graphql", headers: { accept: "application/graphql-response+json", ...headers }, body, expect });
  for (const field of ["name", "path", "description", "proxyPassUrl"]) {
    gql(`variable ${field} with NUL`, jsonOf({ query, variables: { input: { ...gqlInput, [field]: NUL } } }));
    gql(`variable ${field} with lone surrogate`, jsonOf({ query, variables: { input: { ...gqlInput, [field]: LONE_SURROGATE } } }));
  }
  gql("variable tags with NUL", jsonOf({ query, variables: { input: { ...gqlInput, tags: [NUL] } } }));
  gql("metadata with a NUL key", jsonOf({ query, variables: { input: { ...gqlInput, metadata: { [NUL]: 1 } } } }));
  gql("metadata with a NUL value", jsonOf({ query, variables: { input: { ...gqlInput, metadata: { a: NUL } } } }));
  gql("metadata with a lone surrogate", jsonOf({ query, variables: { input: { ...gqlInput, metadata: { a: LONE_SURROGATE } } } }));
  gql("metadata nested deep", jsonOf({ query, variables: { input: { ...gqlInput, metadata: deepObject(DEEP) } } }));
  gql("metadata of arrays nested deep", jsonOf({ query, variables: { input: { ...gqlInput, metadata: { a: deepArray(DEEP) } } } }));
  gql("metadata nested deep as a literal", jsonOf({ query: `mutation { registerServer(input: { name: "H", path: "/hostile", proxyPassUrl: "http://127.0.0.1:9/mcp", metadata: ${"{a:".repeat(DEEP)}1${"}".repeat(DEEP)} }) { __typename } }` }));
  gql("a NUL escape in a literal", jsonOf({ query: 'mutation { registerServer(input: { name: "a\\u0000b", path: "/hostile", proxyPassUrl: "http://127.0.0.1:9/mcp" }) { __typename } }' }));
  gql("a lone surrogate escape in a literal", jsonOf({ query: 'mutation { registerServer(input: { name: "a\\ud800b", path: "/hostile", proxyPassUrl: "http://127.0.0.1:9/mcp" }) { __typename } }' }));
  gql("a NUL in a search", jsonOf({ query: "query($s: String) { servers(search: $s) { totalCount } }", variables: { s: NUL } }));
  gql("a NUL in a path lookup", jsonOf({ query: "query($p: String!) { server(path: $p) { id } }", variables: { p: `/x${NUL}` } }));
  gql("a NUL in a global id", jsonOf({ query: "query($id: ID!) { node(id: $id) { id } }", variables: { id: NUL } }));
  gql("a global id of a non-UUID", jsonOf({ query: "query($id: ID!) { node(id: $id) { id } }", variables: { id: Buffer.from("Server:not-a-uuid").toString("base64") } }), jsonType, "survive");
  gql("a global id of a tool non-UUID", jsonOf({ query: "query($id: ID!) { node(id: $id) { id } }", variables: { id: Buffer.from("Tool:1").toString("base64") } }), jsonType, "survive");
  gql("a global id that is not base64", jsonOf({ query: "query($id: ID!) { node(id: $id) { id } }", variables: { id: "%%%" } }), jsonType, "survive");
  gql("a NUL in a token id", jsonOf({ query: "mutation($j: String!) { revokeToken(jti: $j) { __typename } }", variables: { j: NUL } }));
  gql("expiresInSeconds over 2^31", jsonOf({ query: "mutation { generateToken(input: { expiresInSeconds: 2147483648 }) { __typename } }" }));
  gql("expiresInSeconds as a huge variable", jsonOf({ query: "mutation($e: Int) { generateToken(input: { expiresInSeconds: $e }) { __typename } }", variables: { e: 1e20 } }));
  gql("a NUL in a published name", jsonOf({ query: "mutation($d: JSONObject!) { publishServer(document: $d) { __typename } }", variables: { d: { ...serverJson, name: `com.example/a${NUL}` } } }));
  gql("a query that is a number", jsonOf({ query: 1 }));
  gql("variables that are a string", jsonOf({ query: "{ __typename }", variables: "x" }));
  gql("an envelope that is a list", "[]");
  gql("an envelope that does not parse", "{");
  gql("an envelope nested deep", jsonOf({ query: "{ __typename }", extensions: deepObject(DEEP) }));
  gql("an envelope with a NUL in the operation name", jsonOf({ query: "{ __typename }", operationName: NUL }));
  gql("text/plain", "{ __typename }", { "content-type": "text/plain" });
  // yoga serves form-encoded queries (the CSRF guard stands before it); a read is fine.
  gql("form body", "query=%7B__typename%7D", form, "survive");
  gql("no content type", jsonOf({ query: "{ __typename }" }), {});

  // The official registry API: publish and validate with hostile documents.
  const publishLike = (url: string) => {
    const reg = (name: string, body: string, headers: Record<string, string> = jsonType, expect: Case["expect"] = "refuse") =>
      out.push({ family: "registry", name: `${url} ${name}`, method: url.endsWith("/status") ? "PATCH" : "POST", url, headers, body, expect });
    // /validate answers a document it can read with 200 {valid: false, problems}; publish refuses it.
    const oversized: Case["expect"] = url.endsWith("/validate") ? "survive" : "refuse";
    if (url.endsWith("/status")) {
      reg("statusMessage with NUL", jsonOf({ status: "deprecated", statusMessage: NUL }));
      reg("statusMessage with lone surrogate", jsonOf({ status: "deprecated", statusMessage: LONE_SURROGATE }));
      reg("status nested deep", jsonOf({ status: "deprecated", x: deepObject(DEEP) }));
      reg("not JSON", "{");
      reg("text/plain", "status=deprecated", { "content-type": "text/plain" });
      return;
    }
    reg("name with NUL", jsonOf({ ...serverJson, name: `com.example/a${NUL}` }));
    reg("description with NUL", jsonOf({ ...serverJson, description: NUL }));
    reg("version with NUL", jsonOf({ ...serverJson, version: `1.0.0${NUL}` }));
    reg("description with lone surrogate", jsonOf({ ...serverJson, description: LONE_SURROGATE }));
    reg("_meta nested deep", jsonOf({ ...serverJson, _meta: deepObject(DEEP) }));
    reg("_meta arrays nested deep", jsonOf({ ...serverJson, _meta: { a: deepArray(DEEP) } }));
    reg("10,000 remotes", jsonOf({ ...serverJson, remotes: Array.from({ length: 10_000 }, (_, i) => ({ type: "streamable-http", url: `https://example.com/${i}` })) }), jsonType, oversized);
    reg("5,000 packages", jsonOf({ ...serverJson, packages: Array.from({ length: 5_000 }, () => ({ registryType: "npm", identifier: "x", version: "1.0.0", transport: { type: "stdio" } })) }), jsonType, oversized);
    reg("not JSON", "{");
    reg("a list", "[]");
    reg("text/plain", jsonOf(serverJson), { "content-type": "text/plain" });
  };
  for (const prefix of ["/v0.1", "/v0"]) {
    publishLike(`${prefix}/publish`);
    publishLike(`${prefix}/validate`);
    publishLike(`${prefix}/servers/${encodeURIComponent(FIXTURE_NAME)}/versions/1.0.0/status`);
  }

  // Sign-out with hostile bodies (it reads none, so these are merely survived).
  out.push({ family: "sign-in", name: "logout with a NUL form", method: "POST", url: "/logout", headers: form, body: formOf({ everywhere: NUL }), anonymous: true, expect: "survive" });
  return out;
}

/** Methods and spellings the routes do not serve. */
const ODD_REQUESTS: Case[] = [
  { family: "graphql", name: "PUT /graphql", method: "PUT", url: "/graphql", headers: jsonType, body: "{}", expect: "refuse" },
  { family: "graphql", name: "DELETE /graphql", method: "DELETE", url: "/graphql", expect: "refuse" },
  { family: "graphql", name: "/GRAPHQL", method: "POST", url: "/GRAPHQL", headers: jsonType, body: jsonOf({ query: "{ __typename }" }), expect: "survive" },
  { family: "graphql", name: "/graphql/", method: "POST", url: "/graphql/", headers: jsonType, body: jsonOf({ query: "{ __typename }" }), expect: "survive" },
  { family: "graphql", name: "Accept: image/png", method: "POST", url: "/graphql", headers: { ...jsonType, accept: "image/png" }, body: jsonOf({ query: "{ __typename }" }), expect: "refuse" },
  { family: "graphql", name: "GET with Accept: image/png", method: "GET", url: "/graphql?query=%7B__typename%7D", headers: { accept: "image/png" }, expect: "refuse" },
  { family: "graphql", name: "GET a mutation", method: "GET", url: "/graphql?query=mutation%7BdeleteServer(path%3A%22%2Ffixture%22)%7B__typename%7D%7D", expect: "refuse" },
  { family: "graphql", name: "GET with variables that do not parse", method: "GET", url: "/graphql?query=%7B__typename%7D&variables=%7B", expect: "refuse" },
  { family: "graphql", name: "GET with variables that are a list", method: "GET", url: "/graphql?query=%7B__typename%7D&variables=%5B%5D", expect: "refuse" },
  { family: "graphql", name: "GET with extensions that do not parse", method: "GET", url: "/graphql?query=%7B__typename%7D&extensions=%7B", expect: "refuse" },
  { family: "graphql", name: "GET with no query", method: "GET", url: "/graphql", headers: { accept: "application/json" }, expect: "refuse" },
  { family: "registry", name: "DELETE /v0.1/servers", method: "DELETE", url: "/v0.1/servers", expect: "refuse" },
  { family: "legacy", name: "PUT /register", method: "PUT", url: "/register", expect: "refuse" },
  { family: "tokens", name: "DELETE /api/tokens", method: "DELETE", url: "/api/tokens", expect: "refuse" },
  { family: "pages", name: "POST /", method: "POST", url: "/", expect: "refuse" },
  { family: "sign-in", name: "PUT /login", method: "PUT", url: "/login", expect: "refuse", anonymous: true },
  { family: "legacy", name: "PROPFIND /api/tokens", method: "PROPFIND", url: "/api/tokens", expect: "refuse" },
  { family: "graphql", name: "PROPFIND /graphql", method: "PROPFIND", url: "/graphql", expect: "refuse" },
  { family: "registry", name: "PROPFIND /v0.1/servers", method: "PROPFIND", url: "/v0.1/servers", expect: "refuse" },
];

export function corpus(): Case[] {
  const cases: Case[] = [];
  for (const endpoint of PATH_ENDPOINTS) {
    for (const payload of URL_PAYLOADS) {
      cases.push({
        family: endpoint.family,
        name: `${endpoint.method} ${endpoint.url("{x}")} with ${payload.kind}`,
        method: endpoint.method,
        url: endpoint.url(payload.value),
        headers: endpoint.headers,
        body: endpoint.body,
        expect: payload.refuse ? "refuse" : "survive",
        anonymous: endpoint.anonymous,
      });
    }
  }
  for (const endpoint of QUERY_ENDPOINTS) {
    for (const payload of URL_PAYLOADS) {
      cases.push({
        family: endpoint.family,
        name: `${endpoint.method} ${endpoint.url("{x}")} with ${payload.kind}`,
        method: endpoint.method,
        url: endpoint.url(payload.value),
        headers: endpoint.headers,
        expect: payload.refuse ? "refuse" : "survive",
        anonymous: endpoint.anonymous,
      });
    }
  }
  for (const c of bodyCases()) cases.push({ ...c, expect: c.expect ?? "refuse" });
  cases.push(...ODD_REQUESTS);
  return cases;
}

/** One WebSocket case: frames sent after the handshake (and, for /graphql, after connection_ack). */
export type SocketCase = {
  endpoint: "/graphql" | "/ws/health_status";
  name: string;
  /** Path and query of the upgrade request; default the endpoint. */
  url?: string;
  /** Skip graphql-ws's connection_init and send these frames first. */
  raw?: boolean;
  frames: (string | Buffer)[];
  /** "refuse": an error message or a 4xxx close. "survive": anything but a crash or an internal error. */
  expect: "refuse" | "survive";
};

const HEALTH = "subscription($paths: [String!]) { healthStatus(paths: $paths) { path } }";
const subscribeFrame = (payload: unknown, id: unknown = "1") => JSON.stringify({ id, type: "subscribe", payload });

export function socketCorpus(): SocketCase[] {
  const g = (name: string, frames: (string | Buffer)[], expect: SocketCase["expect"] = "refuse", raw = false): SocketCase => ({
    endpoint: "/graphql",
    name,
    frames,
    expect,
    raw,
  });
  const cases: SocketCase[] = [
    g("variables with a NUL", [subscribeFrame({ query: HEALTH, variables: { paths: [NUL] } })]),
    g("variables with a NUL key", [subscribeFrame({ query: HEALTH, variables: { paths: ["/a"], [NUL]: 1 } })]),
    g("variables with a lone surrogate", [subscribeFrame({ query: HEALTH, variables: { paths: [LONE_SURROGATE] } })]),
    g("variables nested deep", [subscribeFrame({ query: HEALTH, variables: { paths: ["/a"], x: deepObject(DEEP) } })]),
    g("variables of lists nested deep", [subscribeFrame({ query: HEALTH, variables: { paths: deepArray(DEEP) } })]),
    g("a NUL escape in a literal", [subscribeFrame({ query: 'subscription { healthStatus(paths: ["a\\u0000b"]) { path } }' })]),
    g("a lone surrogate escape in a literal", [subscribeFrame({ query: 'subscription { healthStatus(paths: ["a\\ud800b"]) { path } }' })]),
    g("a list literal nested deep", [subscribeFrame({ query: `subscription { healthStatus(paths: ${"[".repeat(DEEP)}"a"${"]".repeat(DEEP)}) { path } }` })]),
    g("a raw NUL in the query", [subscribeFrame({ query: `subscription { healthStatus${NUL} { path } }` })]),
    g("a NUL in the operation name", [subscribeFrame({ query: HEALTH, operationName: NUL })]),
    g("a query that does not parse", [subscribeFrame({ query: "subscription {" })]),
    g("a mutation", [subscribeFrame({ query: 'mutation { deleteServer(path: "/fixture") { __typename } }' })]),
    g("a query", [subscribeFrame({ query: "{ servers { totalCount } }" })]),
    g("a query that is a number", [subscribeFrame({ query: 1 })]),
    g("variables that are a string", [subscribeFrame({ query: HEALTH, variables: "x" })]),
    g("a subscription without an id", [JSON.stringify({ type: "subscribe", payload: { query: HEALTH } })]),
    g("an id that is a number", [subscribeFrame({ query: HEALTH }, 1)]),
    g("an id with a NUL", [subscribeFrame({ query: HEALTH }, NUL)], "survive"),
    g("the same id twice", [subscribeFrame({ query: HEALTH }), subscribeFrame({ query: HEALTH })]),
    g("a subscription without a payload", [JSON.stringify({ id: "1", type: "subscribe" })]),
    g("a frame that is not JSON", ["{"]),
    g("a frame that is JSON null", ["null"]),
    g("a frame that is a list", ["[]"]),
    g("an unknown message type", [JSON.stringify({ type: "hack" })]),
    g("a message nested deep", [JSON.stringify({ type: "ping", payload: deepObject(DEEP) })], "survive"),
    g("a ping with a NUL", [JSON.stringify({ type: "ping", payload: { x: NUL } })], "survive"),
    g("a binary frame", [Buffer.from([0, 1, 2, 255])]),
    g("a second connection_init", [JSON.stringify({ type: "connection_init" })]),
    g("a frame over the size limit", [`{"type":"ping","payload":"${"a".repeat(1_100_000)}"}`]),
    g("connection_init with a NUL credential", [JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${NUL}` } })], "refuse", true),
    g("connection_init nested deep", [JSON.stringify({ type: "connection_init", payload: deepObject(DEEP) })], "refuse", true),
    g("subscribe before connection_init", [subscribeFrame({ query: HEALTH })], "refuse", true),
  ];
  const h = (name: string, frames: (string | Buffer)[], url?: string): SocketCase => ({ endpoint: "/ws/health_status", name, frames, url, expect: "survive" });
  cases.push(
    h("a text frame with a NUL", [NUL]),
    h("a frame that is not JSON", ["{"]),
    h("a frame nested deep", [JSON.stringify(deepObject(DEEP))]),
    h("a binary frame", [Buffer.from([0, 255])]),
    h("a frame over the size limit", ["a".repeat(1_100_000)]),
    h("a NUL in the upgrade query", [], "/ws/health_status?x=%00"),
    h("a NUL in the upgrade path", [], "/ws/health_status%00"),
    h("a bad escape in the upgrade path", [], "/ws/health_status%zz"),
    h("another spelling of the path", [], "/WS/HEALTH_STATUS"),
  );
  cases.push(
    { endpoint: "/graphql", name: "a NUL in the upgrade query", url: "/graphql?x=%00", frames: [], expect: "survive" },
    { endpoint: "/graphql", name: "a bad escape in the upgrade path", url: "/graphql%zz", frames: [], expect: "survive" },
  );
  return cases;
}
