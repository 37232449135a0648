// The OpenAPI path item of GET /api/audit (audit.ts), in the document src/rest/openapi.ts assembles.
import { common, error, limited, nullable, type Schema } from "../http/openapi-parts.ts";
import { AUDIT_EXPORT_MAX } from "./audit.ts";

const text = (description: string): Schema => ({ type: "string", minLength: 1, maxLength: 256, description });

/** One line of the export. */
export const auditLine: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["sequence", "at", "actor", "actor_name", "auth_method", "action", "server_path", "tool", "outcome", "latency_ms", "session", "token_hint", "details"],
  properties: {
    sequence: { type: "string", pattern: "^\\d+$", description: "Its position in the hash chain" },
    at: { type: "string", format: "date-time" },
    actor: { type: "string", description: "The subject of the identity that did it" },
    actor_name: { type: "string" },
    auth_method: nullable("string"),
    action: { type: "string", description: "server.toggle, token.revoke, policy.replace, registry.publish, gateway.tools_call ..." },
    server_path: nullable("string"),
    tool: nullable("string"),
    outcome: { type: "string", enum: ["ok", "denied", "error"] },
    latency_ms: nullable("integer"),
    session: nullable("string"),
    token_hint: nullable("string", { maxLength: 6 }),
    details: { type: "object", description: "Small facts about the change; never arguments, results or secrets" },
  },
};

export const auditPaths: Record<string, Schema> = {
  "/api/audit": {
    get: {
      summary: "The audit log as JSON lines, newest first (admins: everyone's; others: their own)",
      operationId: "exportAudit",
      parameters: [
        { name: "actor", in: "query", required: false, schema: text("The actor's subject or user name") },
        { name: "server", in: "query", required: false, schema: text("A server path, such as /weather") },
        { name: "action", in: "query", required: false, schema: text("An action, such as server.toggle") },
        { name: "since", in: "query", required: false, schema: { type: "string", description: "Events at or after this ISO 8601 date or date-time (with a zone)" } },
        { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: AUDIT_EXPORT_MAX, default: AUDIT_EXPORT_MAX } },
      ],
      responses: {
        "200": {
          description: "One JSON object per line (each as `AuditLine`); an empty body when nothing matches",
          headers: { ...limited, "Cache-Control": { schema: { const: "no-store" } } },
          content: { "application/x-ndjson": { schema: { type: "string" }, itemSchema: auditLine } },
        },
        "400": error("An unknown parameter, one given twice, an empty or overlong value, a NUL, a bad `since` or `limit`"),
        ...common,
      },
    },
  },
};
