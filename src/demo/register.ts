// `npm run demo` / DEMO=true: starts the example servers (servers.ts) and registers
// and enables them through the GraphQL API, as an administrator would, so the first
// dashboard has healthy servers with tools. Idempotent: on a later demo start the
// servers are already registered, and only their URLs (new ephemeral ports) change.
//
// The SSRF guard lets loopback through by default (registries point at services on
// the same host), so the demo needs no allow-list entry, and it opens nothing that
// OUTBOUND_DENY_CIDRS closes: if the operator denies 127.0.0.1, the demo says so
// and its servers show as unhealthy, as any other denied server would.
import type { Logger } from "pino";
import type { AuthService } from "../auth/service.ts";
import { viewerForIdentity } from "../auth/viewer.ts";
import type { Config } from "../config.ts";
import {
  DemoRefreshDocument,
  DemoRegisterDocument,
  DemoServerDocument,
  DemoToggleDocument,
  DemoUpdateDocument,
} from "../generated/gql/graphql.ts";
import type { GraphQL } from "../graphql/yoga.ts";
import { isBlockedAddress } from "../health/ssrf.ts";
import { runOperation } from "../rest/execute.ts";
import { startDemoServers, type RunningDemoServer } from "./servers.ts";

export type RunningDemo = { servers: RunningDemoServer[]; warnings: string[]; close(): Promise<void> };

type Outcome = { __typename: string; message?: string; fieldErrors?: { field: string; message: string }[] };

function ensureSuccess(result: Outcome, action: string, path: string): void {
  if (result.__typename.endsWith("Success")) return;
  const fields = result.fieldErrors?.map((f) => `${f.field} ${f.message}`).join("; ");
  throw new Error(`demo: could not ${action} ${path}: ${result.message ?? result.__typename}${fields ? ` (${fields})` : ""}`);
}

export async function startDemo(deps: { config: Config; graphql: GraphQL; auth: AuthService; log: Logger }): Promise<RunningDemo> {
  const { config, graphql, auth, log } = deps;
  const demo = await startDemoServers();
  const viewer = viewerForIdentity(
    { subject: "system:demo", username: "demo", groups: [auth.adminGroup], scopes: null, authMethod: "session-local" },
    auth,
  );
  const caller = { viewer, log: log.child({ component: "demo" }), bypassResultCache: true };
  try {
    await Promise.all(
      demo.servers.map(async ({ spec, url }) => {
        const found = await runOperation(graphql, DemoServerDocument, { path: spec.path }, caller);
        if (!found.server) {
          const input = { name: spec.name, description: spec.description, path: spec.path, proxyPassUrl: url, tags: spec.tags, transport: "STREAMABLE_HTTP" as const };
          ensureSuccess((await runOperation(graphql, DemoRegisterDocument, { input }, caller)).registerServer, "register", spec.path);
        } else if (found.server.proxyPassUrl !== url) {
          const result = await runOperation(graphql, DemoUpdateDocument, { path: spec.path, input: { proxyPassUrl: url } }, caller);
          ensureSuccess(result.updateServer, "update", spec.path);
        }
        if (!found.server?.enabled) {
          ensureSuccess((await runOperation(graphql, DemoToggleDocument, { path: spec.path }, caller)).toggleServer, "enable", spec.path);
        }
        // Check now rather than at the next interval, so the first dashboard is already green. A check
        // already in flight (the start-up sweep, against last run's URL) is joined rather than repeated,
        // so when that one answers "unhealthy", ask once more: the next check reads the new URL.
        for (let attempt = 0; attempt < 2; attempt++) {
          const { refreshServer } = await runOperation(graphql, DemoRefreshDocument, { path: spec.path }, caller);
          ensureSuccess(refreshServer, "check", spec.path);
          if (refreshServer.__typename === "RefreshServerSuccess" && refreshServer.server.health === "HEALTHY") break;
        }
      }),
    );
  } catch (err) {
    await demo.close();
    throw err;
  }
  const warnings: string[] = [];
  if (isBlockedAddress("127.0.0.1", config.health.outbound)) {
    warnings.push("Warning: OUTBOUND_DENY_CIDRS blocks 127.0.0.1, so the health checker cannot reach the demo servers.");
  }
  log.info({ servers: demo.servers.map((s) => ({ path: s.spec.path, url: s.url })) }, "demo servers registered");
  return { servers: demo.servers, warnings, close: demo.close };
}
