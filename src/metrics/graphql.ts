// GraphQL operations by name and type, their duration, and errors by code. An operation
// name is the client's to choose, so only the names of the documents the product ships
// (codegen's documents: the UI, REST and the tests) become labels; any other is `other`.
// Error codes come from the server (extensions.code), but are checked for shape and
// capped all the same.
import { getOperationAST, type DocumentNode, type GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { CappedLabel, OTHER, type Metrics } from "./registry.ts";

type Result = { errors?: readonly GraphQLError[] };

export function graphqlMetricsPlugin(metrics: Metrics, knownOperations: ReadonlySet<string>): Plugin {
  const codes = new CappedLabel(64, /^[A-Z][A-Z0-9_]{0,63}$/);
  const codeLabel = (code: unknown): string => codes.of(code);
  const countErrors = (result: unknown) => {
    const errors = (result as Result | null)?.errors;
    if (!errors) return;
    for (const err of errors) metrics.graphqlErrors.inc({ code: codeLabel(err.extensions?.code) });
  };
  const labelsOf = (document: DocumentNode, operationName: string | null | undefined) => {
    const operation = getOperationAST(document, operationName);
    const name = operation?.name?.value;
    return {
      operation_name: name !== undefined && knownOperations.has(name) ? name : OTHER,
      operation_type: operation?.operation ?? OTHER,
    };
  };
  // The bound children for each parsed document (yoga's parser cache hands out the same
  // DocumentNode for the same text) and operation name: after the first execution, timing an
  // operation finds them without reading the document or building a label set.
  type Bound = { count: { inc(): void }; duration: { observe(seconds: number): void } };
  const byDocument = new WeakMap<DocumentNode, Map<string, Bound>>();
  const boundOf = (document: DocumentNode, operationName: string | null | undefined): Bound => {
    let byName = byDocument.get(document);
    if (!byName) byDocument.set(document, (byName = new Map()));
    const name = operationName ?? "";
    let bound = byName.get(name);
    if (!bound) {
      const labels = labelsOf(document, operationName);
      // A client's own names all map to `other`: the per-document map stays as small as its operations.
      bound = { count: metrics.graphqlOperations.labels(labels), duration: metrics.graphqlDuration.labels(labels) };
      if (byName.size < 64) byName.set(name, bound);
    }
    return bound;
  };
  const timed = (document: DocumentNode, operationName: string | null | undefined) => {
    const bound = boundOf(document, operationName);
    bound.count.inc();
    const started = performance.now();
    return (result: unknown) => {
      bound.duration.observe((performance.now() - started) / 1000);
      if (result && typeof result === "object" && !(Symbol.asyncIterator in result)) countErrors(result);
    };
  };
  // Requests refused before execution (parse, validation, depth, cost) have errors too. One
  // function for every request: nothing is allocated for the valid ones.
  const validated = ({ valid, result }: { valid: boolean; result: readonly unknown[] }) => {
    if (valid) return;
    for (const err of result) metrics.graphqlErrors.inc({ code: codeLabel((err as Partial<GraphQLError>).extensions?.code ?? "GRAPHQL_VALIDATION_FAILED") });
  };
  // Answers from the result cache are never executed: the cache reports them itself
  // (graphqlCacheHits), so this plugin needs no hook on every request's params and result.
  return {
    onExecute({ args }) {
      const done = timed(args.document, args.operationName);
      return { onExecuteDone: ({ result }) => done(result) };
    },
    onSubscribe({ args }) {
      const done = timed(args.document, args.operationName);
      return { onSubscribeResult: ({ result }) => done(result) };
    },
    onValidate() {
      return validated;
    },
  };
}

/**
 * Counts and times the answers the result cache gives (labels read off the request's text,
 * as these are never parsed), from when the cache made the request's key.
 */
export function graphqlCacheHits(metrics: Metrics, knownOperations: ReadonlySet<string>) {
  return (hit: { query: string; operationName: string | undefined; startedAt: number }): void => {
    const labels = labelsOfText(hit.query, hit.operationName, knownOperations);
    metrics.graphqlOperations.inc(labels);
    metrics.graphqlDuration.observe(labels, (performance.now() - hit.startedAt) / 1000);
  };
}

const FIRST_OPERATION = /^\s*(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/;

/** Labels without parsing: the request's operationName, else the document's first operation (a label, not a security decision). */
function labelsOfText(query: string | undefined, operationName: string | undefined, known: ReadonlySet<string>) {
  const first = FIRST_OPERATION.exec(query ?? "");
  const name = operationName ?? first?.[2];
  return {
    operation_name: name !== undefined && known.has(name) ? name : OTHER,
    operation_type: first?.[1] ?? (query?.trimStart().startsWith("{") ? "query" : OTHER),
  };
}

/** The operation names in a set of documents (codegen's generated documents). */
export function operationNamesOf(documents: Iterable<unknown>): Set<string> {
  const names = new Set<string>();
  for (const doc of documents) {
    const definitions = (doc as Partial<DocumentNode> | null)?.definitions;
    if (!Array.isArray(definitions)) continue;
    for (const def of definitions as DocumentNode["definitions"]) {
      if (def.kind === "OperationDefinition" && def.name) names.add(def.name.value);
    }
  }
  return names;
}
