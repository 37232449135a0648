// Imports every domain module, then builds the schema.
import { lexicographicSortSchema, type GraphQLSchema } from "graphql";
import { builder } from "../builder.ts";
import "./errors.ts";
import "./servers.ts";
import "./auth.ts";
import "./tools.ts";
import "./events.ts";
import "./registry.ts";
import "./audit.ts";
import "./search.ts";

let built: GraphQLSchema | undefined;

/** The schema, built once; printed sorted so that schema.graphql diffs stay readable. */
export function getSchema(): GraphQLSchema {
  built ??= lexicographicSortSchema(builder.toSchema());
  return built;
}
