// A server row as an official-registry entry: the ServerJSON (`server`) and the
// registry-managed `_meta`. Published entries return their server.json as published;
// servers registered through the gateway get one built from their fields.
import type { HealthStatus } from "../generated/prisma/enums.ts";
import { healthStringOf } from "../health/status.ts";
import { gatewayNameOf } from "./names.ts";
import { remoteOf } from "./remote.ts";
import { CURRENT_SCHEMA, DESCRIPTION_MAX } from "./validate.ts";

export const OFFICIAL_META = "io.modelcontextprotocol.registry/official";
export const GATEWAY_META = "io.mcpgateway/registry";

/** The columns an entry is built from. */
export type EntryRow = {
  id: string;
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
  registryName: string | null;
  version: string;
  status: string;
  statusMessage: string | null;
  statusChangedAt: Date | null;
  publishedAt: Date;
  isLatest: boolean;
  updatedAt: Date;
  serverJson: unknown;
};

/** Cut to `max` characters (code points, as JSON Schema counts them), ending in an ellipsis when cut. */
export function cutText(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

export function entryNameOf(row: Pick<EntryRow, "registryName" | "path">, namespace: string): string {
  return row.registryName ?? gatewayNameOf(namespace, row.path);
}

/** The entry's server.json: the document as published, or one built for a gateway server. */
export function serverJsonOf(row: EntryRow, namespace: string): Record<string, unknown> {
  if (row.serverJson && typeof row.serverJson === "object") return row.serverJson as Record<string, unknown>;
  return gatewayServerJsonOf(row, namespace);
}

/** A ServerJSON for a server registered through the gateway, built from its fields. */
export function gatewayServerJsonOf(row: EntryRow, namespace: string): Record<string, unknown> {
  const title = cutText(row.name.trim(), DESCRIPTION_MAX);
  return {
    $schema: CURRENT_SCHEMA,
    name: entryNameOf(row, namespace),
    description: cutText(row.description.trim() || row.name.trim() || row.path, DESCRIPTION_MAX),
    ...(title ? { title } : {}),
    version: row.version,
    remotes: [remoteOf(row)],
  };
}

export function metaOf(row: EntryRow): Record<string, unknown> {
  const official: Record<string, unknown> = {
    status: row.status.toLowerCase(),
    ...(row.statusMessage ? { statusMessage: row.statusMessage } : {}),
    ...(row.statusChangedAt ? { statusChangedAt: row.statusChangedAt.toISOString() } : {}),
    publishedAt: row.publishedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    isLatest: row.isLatest,
  };
  const gateway: Record<string, unknown> =
    row.serverJson === null || row.serverJson === undefined
      ? {
          path: row.path,
          enabled: row.enabled,
          healthStatus: healthStringOf(row),
          lastCheckedAt: row.lastChecked?.toISOString() ?? null,
          numTools: row.numTools,
          tags: row.tags,
        }
      : { path: row.path, published: true };
  return { [OFFICIAL_META]: official, [GATEWAY_META]: gateway };
}
