// The one SchemaBuilder, with its plugins and scalars. Nothing else lives here.
import SchemaBuilder from "@pothos/core";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import { DateTimeResolver, JSONObjectResolver, JSONResolver } from "graphql-scalars";
import type PrismaTypes from "../generated/pothos-types.ts";
import { getDatamodel } from "../generated/pothos-types.ts";
import type { Context } from "./context.ts";

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    JSONObject: { Input: Record<string, unknown>; Output: unknown };
  };
}>({
  plugins: [ErrorsPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    // The relay plugin's own types and arguments, documented once for every connection.
    nodeTypeOptions: { description: "An object with a global id, fetchable with `node(id:)`." },
    idFieldOptions: { description: "The global id: opaque, stable, and accepted by `node(id:)`." },
    nodeQueryOptions: {
      description: "The object with this global id, or null when it does not exist or the viewer may not see it.",
      args: { id: { description: "A global id, as `id` fields return it." } },
    },
    nodesQueryOptions: {
      description: "The objects with these global ids, in the same order; null for each that does not exist or is hidden.",
      args: { ids: { description: "Global ids, as `id` fields return them." } },
    },
    pageInfoTypeOptions: { description: "Where a page sits in its list: whether there are more, and the cursors to get them." },
    hasNextPageFieldOptions: { description: "True when items follow this page (ask again with `after: endCursor`)." },
    hasPreviousPageFieldOptions: { description: "True when items precede this page (ask again with `before: startCursor`)." },
    startCursorFieldOptions: { description: "The cursor of the page's first item; null for an empty page." },
    endCursorFieldOptions: { description: "The cursor of the page's last item; null for an empty page." },
    firstArgOptions: { description: "Return the first n items (after `after`, when given)." },
    lastArgOptions: { description: "Return the last n items (before `before`, when given)." },
    afterArgOptions: { description: "Start after the item with this cursor." },
    beforeArgOptions: { description: "End before the item with this cursor." },
    defaultConnectionTypeOptions: { description: "One page of a list: its edges and where the page sits (pageInfo)." },
    defaultEdgeTypeOptions: { description: "One item of a page, with the cursor that points at it." },
    edgesFieldOptions: { description: "The page's items, in order." },
    pageInfoFieldOptions: { description: "Whether more items follow or precede, and the cursors to ask for them." },
    cursorFieldOptions: { description: "Pass as `after` or `before` to page from this item." },
    nodeFieldOptions: { description: "The item." },
  },
  errors: {
    defaultTypes: [],
    // `registerServer` returns `RegisterServerResult = RegisterServerSuccess | ...errors`.
    defaultResultOptions: { name: ({ fieldName }) => `${upperFirst(fieldName)}Success` },
    defaultUnionOptions: { name: ({ fieldName }) => `${upperFirst(fieldName)}Result` },
  },
});

function upperFirst(s: string): string {
  return s.slice(0, 1).toUpperCase() + s.slice(1);
}

builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("JSON", JSONResolver);
builder.addScalarType("JSONObject", JSONObjectResolver);

builder.queryType({ description: "What the viewer may read: servers, their tools and health, the registry, tokens and the policy." });
builder.mutationType({ description: "Changes: register, update, enable and check servers; publish to the registry; tokens; the access policy." });
builder.subscriptionType({ description: "Live events about the servers the viewer may list (graphql-ws, or HTTP server-sent events)." });
