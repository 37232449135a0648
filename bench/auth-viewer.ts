// Identity benchmark: `{ viewer { username } }` through GraphQL at
// concurrency 16, once under a bearer JWT signed by a real OpenID provider
// (oidc-provider, in this process; the server verifies it against the provider's
// JWKS) and once under the session cookie of the local admin (POST /login), on the
// embedded database; compared with a bare Koa route returning the same bytes.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type autocannon from "autocannon";
import { startIdp, type Idp } from "../test/support/idp.ts";
import { cpuMsOf, dropEnv, freshEnv, load, rssOf, seed, signIn, startProcess, type Load, type Proc } from "./support.ts";

export const VIEWER_QUERY = "{ viewer { username } }";
const CONNECTIONS = 16;
const WARM_UP_SECONDS = 2;
const USERNAME = "admin";
const ADMIN_GROUP = "mcp-registry-admin";
/** More than the server's cache of verified tokens (5,000, oldest out first), so cycling through them always misses. */
const FRESH_TOKENS = 5_500;

export type ViewerRow = { variant: string; target: boolean } & Load & {
  rssMb?: number;
  peakMb?: number;
  bytes: number;
  /** Server CPU time (user + system) per answered request, in µs: robust to other load on the machine. */
  cpuUsPerRequest?: number;
};

/** Runs a measured load and reads the server's CPU time around it. */
async function measured(pid: number, run: () => Promise<Load>): Promise<Load & { cpuUsPerRequest: number }> {
  const before = await cpuMsOf(pid);
  const result = await run();
  const used = (await cpuMsOf(pid)) - before;
  return { ...result, cpuUsPerRequest: Math.round((used * 1000) / Math.max(result.requests, 1)) };
}

export type AuthViewerOptions = {
  seconds: number;
  /** Node flags for the server process (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Also measure a new token on every request (the verification path, no cache hit). */
  freshTokens?: boolean;
};

export async function authViewer(opts: AuthViewerOptions): Promise<ViewerRow[]> {
  const idp = await startIdp();
  const env = await freshEnv({ kind: "pglite" });
  const rows: ViewerRow[] = [];
  const body = JSON.stringify({ query: VIEWER_QUERY });
  const password = randomBytes(12).toString("base64url");
  let expected: Buffer | undefined;
  try {
    // Create the database first (as graphql-list's seeding does): the server's first start on an empty
    // DATA_DIR runs PGlite's initdb and peaks near 800 MB, which is not what a running server uses.
    await seed(env, 0, 0);
    const server = await startProcess(
      "src/main.ts",
      {
        ...env,
        ADMIN_USERNAME: USERNAME,
        ADMIN_PASSWORD: password,
        ADMIN_GROUP,
        OIDC_PROVIDERS: "keycloak",
        OIDC_KEYCLOAK_ISSUER: idp.issuer,
        OIDC_KEYCLOAK_CLIENT_ID: idp.webClient.clientId,
        OIDC_KEYCLOAK_CLIENT_SECRET: idp.webClient.clientSecret,
        OIDC_KEYCLOAK_AUDIENCE: idp.audience,
      },
      opts.nodeArgs,
    );
    try {
      const url = `${server.url}/graphql`;
      const token = await idp.issueAccessToken({ preferredUsername: USERNAME, groups: [ADMIN_GROUP], expiresIn: 3600 });
      const cookie = await signIn(server.url, { username: USERNAME, password });
      const ways: { variant: string; headers: Record<string, string> }[] = [
        { variant: "bearer JWT (IdP-signed, verified against its JWKS)", headers: { authorization: `Bearer ${token}` } },
        { variant: "session cookie (local admin, POST /login)", headers: { cookie } },
      ];
      for (const way of ways) {
        const bytes = await firstAnswer(url, body, way.headers);
        if (expected && !bytes.equals(expected)) throw new Error(`${way.variant}: answer differs: ${bytes.toString()}`);
        expected = bytes;
      }
      for (const way of ways) await load({ url, body, headers: way.headers, connections: CONNECTIONS, seconds: WARM_UP_SECONDS });
      for (const way of ways) {
        const result = await measured(server.child.pid!, () =>
          load({ url, body, headers: way.headers, connections: CONNECTIONS, seconds: opts.seconds, fineLatency: true }),
        );
        rows.push({ variant: way.variant, target: true, ...result, ...(await rssOf(server.child.pid!)), bytes: expected!.length });
      }
      if (opts.freshTokens) rows.push(await freshTokenRow(idp, server, url, body, opts.seconds, expected!));
    } finally {
      await server.stop();
    }

    const bodyFile = path.join(os.tmpdir(), `bench-viewer-${process.pid}.json`);
    await fs.writeFile(bodyFile, expected!);
    const bare = await startProcess("bench/bare-server.ts", { BENCH_BODY_FILE: bodyFile });
    try {
      const url = `${bare.url}/graphql`;
      await load({ url, body, connections: CONNECTIONS, seconds: WARM_UP_SECONDS });
      const result = await measured(bare.child.pid!, () =>
        load({ url, body, connections: CONNECTIONS, seconds: opts.seconds, fineLatency: true }),
      );
      rows.push({ variant: "bare Koa route, same bytes (baseline)", target: false, ...result, ...(await rssOf(bare.child.pid!)), bytes: expected!.length });
    } finally {
      await bare.stop();
      await fs.rm(bodyFile, { force: true });
    }
  } finally {
    await idp.close();
    await dropEnv(env);
  }
  return rows;
}

/** A different token on every request: what verification itself costs (signature, claims, policy). */
async function freshTokenRow(idp: Idp, server: Proc, url: string, body: string, seconds: number, expected: Buffer): Promise<ViewerRow> {
  const signed = performance.now();
  const tokens: string[] = [];
  for (let i = 0; i < FRESH_TOKENS; i += 1) {
    tokens.push(await idp.issueAccessToken({ preferredUsername: USERNAME, groups: [ADMIN_GROUP], expiresIn: 3600 }));
  }
  console.error(`  signed ${FRESH_TOKENS} tokens in ${((performance.now() - signed) / 1000).toFixed(1)} s`);
  const check = await firstAnswer(url, body, { authorization: `Bearer ${tokens[0]}` });
  if (!check.equals(expected)) throw new Error(`fresh token: answer differs: ${check.toString()}`);
  let next = 1;
  const requests: autocannon.Request[] = [
    {
      setupRequest: (request) => {
        const token = tokens[next % tokens.length]!;
        next += 1;
        return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
      },
    },
  ];
  const result = await measured(server.child.pid!, () =>
    load({ url, body, connections: CONNECTIONS, seconds, requests, fineLatency: true }),
  );
  return {
    variant: `bearer JWT, a new token on every request (${FRESH_TOKENS.toLocaleString("en")} in turn; not a target)`,
    target: false,
    ...result,
    ...(await rssOf(server.child.pid!)),
    bytes: expected.length,
  };
}


/** The answer must be a 200 with the viewer's username before any load is driven. */
async function firstAnswer(url: string, body: string, headers: Record<string, string>): Promise<Buffer> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  let username: unknown;
  try {
    username = (JSON.parse(bytes.toString()) as { data?: { viewer?: { username?: unknown } } }).data?.viewer?.username;
  } catch {
    username = undefined;
  }
  if (res.status !== 200 || username !== USERNAME) {
    throw new Error(`unexpected answer (${res.status}): ${bytes.toString().slice(0, 300)}`);
  }
  return bytes;
}

export function authViewerMarkdown(rows: ViewerRow[], seconds: number, date: string, machine: string): string {
  const bearer = rows.find((r) => r.variant.startsWith("bearer JWT ("));
  const cookie = rows.find((r) => r.variant.startsWith("session cookie"));
  const lines = [
    `### Identity: \`{ viewer { username } }\` under bearer vs cookie (PGlite, concurrency ${CONNECTIONS}, ${seconds} s after ${WARM_UP_SECONDS} s warm-up)`,
    "",
    `${date} · ${machine}`,
    "",
    "| variant | requests/s | p50 ms | p99 ms | p50 ms (exact) | p99 ms (exact) | errors | server CPU µs/request | RSS MB (peak) | response bytes |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${r.rps.toLocaleString("en")} | ${r.p50} | ${r.p99} | ${r.fine?.p50 ?? "-"} | ${r.fine?.p99 ?? "-"} | ${r.errors + r.non2xx} | ${r.cpuUsPerRequest ?? "-"} | ${r.rssMb ?? "-"} (${r.peakMb ?? "-"}) | ${r.bytes} |`,
    ),
  ];
  if (bearer && cookie) {
    const gap = Math.abs((bearer.fine?.p50 ?? bearer.p50) - (cookie.fine?.p50 ?? cookie.p50));
    const ok = (r: ViewerRow) => r.rps >= 2_000 && r.errors + r.non2xx === 0;
    lines.push(
      "",
      `Targets: ≥ 2,000 requests/s each: bearer ${ok(bearer) ? "met" : "**missed**"} (${bearer.rps.toLocaleString("en")}), ` +
        `cookie ${ok(cookie) ? "met" : "**missed**"} (${cookie.rps.toLocaleString("en")}); ` +
        `p50 within 1 ms: ${gap <= 1 ? "met" : "**missed**"} (${gap.toFixed(2)} ms apart).`,
    );
  }
  return lines.join("\n");
}
