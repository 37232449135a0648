// Rejects operations whose estimated cost or depth is over the limit before they run.
// A list field costs its page size (first/last, or its default) times what each
// item selects, so `servers(first: 500) { edges { node { tools { ... } } } }`
// is priced by the rows it could load, not by the size of the document.
//
// Introspection is always answered, because every GraphQL client (GraphiQL, codegen,
// Apollo, Altair, Postman) starts with it, and the standard query is both deep (its
// TypeRef fragment nests ofType nine times) and "costly" by page-size estimates. A document
// counts as introspection only when every root field of every operation is a meta field
// (__schema, __type, __typename), so no data field can hide inside one. Such a document
// is priced by this schema's real sizes (how many types, fields per type, ...) and may
// cost at most INTROSPECTION_COST_FACTOR times the full standard introspection query, and
// nest at most INTROSPECTION_MAX_DEPTH: the standard queries pass, repeated
// `fields { type { fields ... } }` chains do not.
import type { Plugin } from "graphql-yoga";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import {
  GraphQLError,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";

/** Page sizes assumed for lists that take no first/last argument. */
const UNBOUNDED_LIST_ITEMS = 20;
/** The standard introspection query nests 13 deep (counted as the depth limit counts); clients' variants a little more. */
export const INTROSPECTION_MAX_DEPTH = 20;
/** An introspection document may cost this many times the full standard query. */
const INTROSPECTION_COST_FACTOR = 2;

const META_FIELDS = new Set(["__schema", "__type", "__typename"]);

const estimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  // A connection's edges/nodes are already priced by the connection's page size.
  if (type.name.endsWith("Connection") && (field.name === "edges" || field.name === "nodes")) {
    return 1 + childComplexity;
  }
  const requested = (args.first ?? args.last) as number | undefined;
  const listy = isListType(getNullableType(field.type)) || isConnection(field);
  // A list whose length its parent's page size already bounds (search's hits) declares it: extensions.listSize.
  const declared = field.extensions.listSize;
  const items =
    typeof requested === "number" ? Math.max(requested, 1) : listy ? (typeof declared === "number" ? declared : defaultSizeOf(field)) : 1;
  return 1 + items * childComplexity;
};

function isConnection(field: GraphQLField<unknown, unknown>): boolean {
  return getNamedType(field.type).name.endsWith("Connection");
}

function defaultSizeOf(field: GraphQLField<unknown, unknown>): number {
  // Connections without first/last return their default page size (<= 100 here).
  return isConnection(field) ? 100 : UNBOUNDED_LIST_ITEMS;
}

/**
 * True when the document asks for nothing but introspection: every operation is a query
 * and every field at its root (through root fragments too) is __schema, __type or __typename.
 */
function isIntrospectionOnly(document: DocumentNode): boolean {
  const fragments = new Map<string, SelectionSetNode>();
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d.selectionSet);
  }
  const seen = new Set<string>();
  const rootIsMeta = (set: SelectionSetNode): boolean =>
    set.selections.every((s) => {
      if (s.kind === Kind.FIELD) return META_FIELDS.has(s.name.value);
      if (s.kind === Kind.INLINE_FRAGMENT) return rootIsMeta(s.selectionSet);
      const name = s.name.value;
      if (seen.has(name)) return true; // a cycle; validation refuses it anyway
      seen.add(name);
      const target = fragments.get(name);
      return target !== undefined && rootIsMeta(target);
    });
  let operations = 0;
  for (const d of document.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) {
      operations++;
      if (d.operation !== "query" || !rootIsMeta(d.selectionSet)) return false;
    } else if (d.kind !== Kind.FRAGMENT_DEFINITION) {
      return false;
    }
  }
  return operations > 0;
}

/** This schema's real sizes, for pricing introspection: a list meta field returns at most this many items. */
function introspectionSizes(schema: GraphQLSchema): Map<string, number> {
  const types = Object.values(schema.getTypeMap());
  let fields = 1;
  let args = 1;
  let inputFields = 1;
  let enumValues = 1;
  let interfaces = 1;
  let possibleTypes = 1;
  for (const t of types) {
    if (isObjectType(t) || isInterfaceType(t)) {
      const fs = Object.values(t.getFields());
      fields = Math.max(fields, fs.length);
      for (const f of fs) args = Math.max(args, f.args.length);
      interfaces = Math.max(interfaces, t.getInterfaces().length);
    }
    if (isInterfaceType(t) || isUnionType(t)) possibleTypes = Math.max(possibleTypes, schema.getPossibleTypes(t).length);
    if (isInputObjectType(t)) inputFields = Math.max(inputFields, Object.keys(t.getFields()).length);
    if (isEnumType(t)) enumValues = Math.max(enumValues, t.getValues().length);
  }
  for (const d of schema.getDirectives()) args = Math.max(args, d.args.length);
  return new Map([
    ["__Schema.types", types.length],
    ["__Schema.directives", schema.getDirectives().length],
    ["__Type.fields", fields],
    ["__Type.interfaces", interfaces],
    ["__Type.possibleTypes", possibleTypes],
    ["__Type.enumValues", enumValues],
    ["__Type.inputFields", inputFields],
    ["__Field.args", args],
    ["__Directive.args", args],
    ["__Directive.locations", 19],
  ]);
}

function introspectionEstimator(sizes: Map<string, number>): ComplexityEstimator {
  return ({ type, field, childComplexity }) => {
    const items = isListType(getNullableType(field.type)) ? (sizes.get(`${type.name}.${field.name}`) ?? UNBOUNDED_LIST_ITEMS) : 1;
    return 1 + items * childComplexity;
  };
}

/** The full standard introspection query: every option graphql-js offers turned on. */
export const STANDARD_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});

type Pricing = { estimator: ComplexityEstimator; maxCost: number };
const introspectionPricing = new WeakMap<GraphQLSchema, Pricing>();

function pricingFor(schema: GraphQLSchema): Pricing {
  let pricing = introspectionPricing.get(schema);
  if (!pricing) {
    const estimator = introspectionEstimator(introspectionSizes(schema));
    const standard = getComplexity({ schema, query: parse(STANDARD_INTROSPECTION), variables: {}, estimators: [estimator] });
    pricing = { estimator, maxCost: INTROSPECTION_COST_FACTOR * standard };
    introspectionPricing.set(schema, pricing);
  }
  return pricing;
}

/** A document's estimated cost, and the limit that applies to it. */
function priceOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | undefined,
  maxCost: number,
): { cost: number; limit: number } {
  const introspection = isIntrospectionOnly(document) ? pricingFor(schema) : undefined;
  const cost = getComplexity({ schema, query: document, variables, operationName, estimators: [introspection?.estimator ?? estimator] });
  return { cost, limit: introspection?.maxCost ?? maxCost };
}

export function costLimitPlugin(maxCost: number): Plugin {
  // yoga reuses parsed documents, so a document's cost (per variables) is computed once.
  const costs = new WeakMap<DocumentNode, Map<string, { cost: number; limit: number }>>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const key = `${args.operationName ?? ""}\u0000${JSON.stringify(args.variableValues ?? {})}`;
      let known = costs.get(args.document);
      if (!known) {
        known = new Map();
        costs.set(args.document, known);
      }
      let priced = known.get(key);
      if (priced === undefined) {
        priced = priceOf(args.schema, args.document, args.variableValues ?? {}, args.operationName ?? undefined, maxCost);
        if (known.size < 100) known.set(key, priced);
      }
      const { cost, limit } = priced;
      if (cost > limit) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `Query is too costly: estimated cost ${cost} is over the limit of ${limit}. Ask for smaller pages or fewer fields.`,
              { extensions: { code: "QUERY_TOO_COSTLY", cost, maxCost: limit, http: { status: 400 } } },
            ),
          ],
        });
      }
    },
  };
}

/**
 * graphql-armor's depth rule, with INTROSPECTION_MAX_DEPTH for introspection documents.
 * Its own ignoreIntrospection skips __schema entirely, which leaves introspection unbounded.
 */
export function depthLimitPlugin(maxDepth: number, onReject: (ctx: ValidationContext | null, err: GraphQLError) => void): Plugin {
  const options = { ignoreIntrospection: false, flattenFragments: true, onReject: [onReject] };
  const normal = maxDepthRule({ ...options, n: maxDepth });
  const introspection = maxDepthRule({ ...options, n: Math.max(maxDepth, INTROSPECTION_MAX_DEPTH) });
  return {
    onValidate({ params, addValidationRule }) {
      addValidationRule(isIntrospectionOnly(params.documentAST) ? introspection : normal);
    },
  };
}
