// Rejects operations whose estimated cost is over the limit before they run.
// A list field costs its page size (first/last, or its default) times what each
// item selects, so `servers(first: 500) { edges { node { tools { ... } } } }`
// is priced by the rows it could load, not by the size of the document.
import type { Plugin } from "graphql-yoga";
import { GraphQLError, getNamedType, isListType, getNullableType, type DocumentNode, type GraphQLField } from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";

/** Page sizes assumed for lists that take no first/last argument. */
const UNBOUNDED_LIST_ITEMS = 20;

const estimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  // A connection's edges/nodes are already priced by the connection's page size.
  if (type.name.endsWith("Connection") && (field.name === "edges" || field.name === "nodes")) {
    return 1 + childComplexity;
  }
  const requested = (args.first ?? args.last) as number | undefined;
  const listy = isListType(getNullableType(field.type)) || isConnection(field);
  const items = typeof requested === "number" ? Math.max(requested, 1) : listy ? defaultSizeOf(field) : 1;
  return 1 + items * childComplexity;
};

function isConnection(field: GraphQLField<unknown, unknown>): boolean {
  return getNamedType(field.type).name.endsWith("Connection");
}

function defaultSizeOf(field: GraphQLField<unknown, unknown>): number {
  // Connections without first/last return their default page size (<= 100 here).
  return isConnection(field) ? 100 : UNBOUNDED_LIST_ITEMS;
}

export function costLimitPlugin(maxCost: number): Plugin {
  // yoga reuses parsed documents, so a document's cost (per variables) is computed once.
  const costs = new WeakMap<DocumentNode, Map<string, number>>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const key = `${args.operationName ?? ""}\u0000${JSON.stringify(args.variableValues ?? {})}`;
      let known = costs.get(args.document);
      if (!known) {
        known = new Map();
        costs.set(args.document, known);
      }
      let cost = known.get(key);
      if (cost === undefined) {
        cost = getComplexity({
          schema: args.schema,
          query: args.document,
          variables: (args.variableValues ?? {}) as Record<string, unknown>,
          operationName: args.operationName ?? undefined,
          estimators: [estimator],
        });
        if (known.size < 100) known.set(key, cost);
      }
      if (cost > maxCost) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `Query is too costly: estimated cost ${cost} is over the limit of ${maxCost}. Ask for smaller pages or fewer fields.`,
              { extensions: { code: "QUERY_TOO_COSTLY", cost, maxCost, http: { status: 400 } } },
            ),
          ],
        });
      }
    },
  };
}
