// An entry of the official-registry API: the ServerJSON (`server`) and the
// registry-managed `_meta`. A published entry returns its server.json as published;
// a server registered through the gateway gets one built from its fields.
import type { HealthStatus } from "../generated/prisma/enums.ts";
import { healthStringOf } from "../health/status.ts";
import { gatewayNameOf } from "./names.ts";
import { remoteOf } from "./remote.ts";
import { CURRENT_SCHEMA, DESCRIPTION_MAX } from "./validate.ts";

export const OFFICIAL_META = "io.modelcontextprotocol.registry/official";
export const GATEWAY_META = "io.mcpgateway/registry";

/** What every entry has: its version's registry metadata. */
type Lifecycle = {
  id: string;
  version: string;
  status: "ACTIVE" | "DEPRECATED" | "DELETED";
  statusMessage: string | null;
  statusChangedAt: Date | null;
  publishedAt: Date;
  isLatest: boolean;
  updatedAt: Date;
};

/** A server registered through the gateway (a `servers` row), named after its path. */
export type GatewayEntryRow = Lifecycle & {
  kind: "gateway";
  path: string;
  name: string;
  description: string;
  proxyPassUrl: string;
  transport: string;
  tags: string[];
  numTools: number;
  enabled: boolean;
  healthStatus: HealthStatus;
  healthReason: string | null;
  lastChecked: Date | null;
};

/** A published version (a `registry_entries` row). */
export type PublishedEntryRow = Lifecycle & {
  kind: "published";
  name: string;
  serverJson: Record<string, unknown>;
};

export type EntryRow = GatewayEntryRow | PublishedEntryRow;

/** Cut to `max` characters (code points, as JSON Schema counts them), ending in an ellipsis when cut. */
export function cutText(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

export function entryNameOf(row: EntryRow, namespace: string): string {
  return row.kind === "published" ? row.name : gatewayNameOf(namespace, row.path);
}

/** Where an entry is shown: REGISTRY_NAMESPACE names gateway servers, PUBLIC_URL is where the gateway answers. */
export type Projection = { namespace: string; publicUrl: string };

/** The entry's server.json: the document as published, or one built for a gateway server. */
export function serverJsonOf(row: EntryRow, projection: Projection): Record<string, unknown> {
  return row.kind === "published" ? row.serverJson : gatewayServerJsonOf(row, projection);
}

/** A ServerJSON for a server registered through the gateway, built from its fields; clients reach it through the gateway. */
export function gatewayServerJsonOf(row: GatewayEntryRow, { namespace, publicUrl }: Projection): Record<string, unknown> {
  const title = cutText(row.name.trim(), DESCRIPTION_MAX);
  return {
    $schema: CURRENT_SCHEMA,
    name: entryNameOf(row, namespace),
    description: cutText(row.description.trim() || row.name.trim() || row.path, DESCRIPTION_MAX),
    ...(title ? { title } : {}),
    version: row.version,
    remotes: [remoteOf(row, publicUrl)],
  };
}

export function metaOf(row: EntryRow): Record<string, unknown> {
  const official: Record<string, unknown> = {
    status: row.status.toLowerCase(),
    ...(row.statusMessage ? { statusMessage: row.statusMessage } : {}),
    // As the official registry: set at publication, then at each status change.
    statusChangedAt: (row.statusChangedAt ?? row.publishedAt).toISOString(),
    publishedAt: row.publishedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    isLatest: row.isLatest,
  };
  const gateway: Record<string, unknown> =
    row.kind === "gateway"
      ? {
          path: row.path,
          enabled: row.enabled,
          healthStatus: healthStringOf(row),
          lastCheckedAt: row.lastChecked?.toISOString() ?? null,
          numTools: row.numTools,
          tags: row.tags,
        }
      : { published: true };
  return { [OFFICIAL_META]: official, [GATEWAY_META]: gateway };
}
