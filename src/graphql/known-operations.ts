// The operation names of the documents the product ships (codegen's typed documents of
// the UI, the REST layer, the tests and the benchmarks): the only names a metrics label
// may take, so that clients inventing names add no series.
import * as documents from "../generated/gql/graphql.ts";
import { operationNamesOf } from "../metrics/graphql.ts";

let known: ReadonlySet<string> | undefined;

export function knownOperationNames(): ReadonlySet<string> {
  known ??= operationNamesOf(Object.values(documents));
  return known;
}
