// The GraphQL side of http/hostile-input.ts: NUL bytes, lone surrogates and JSON nested
// deeper than JSON_MAX_DEPTH are refused in request parameters (POST, GET, and the REST
// layer's in-process operations), in subscription variables over the WebSocket, and in
// the document's own literals, before any resolver, Prisma or validator sees them.
import { GraphQLError, type ValidationRule } from "graphql";
import type { Plugin } from "graphql-yoga";
import { JSON_MAX_DEPTH, textProblem, valueProblem } from "../http/hostile-input.ts";

const CODE = "BAD_USER_INPUT";

function refusal(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: CODE, http: { status: 400 } } });
}

/** Refuses string literals yoga's parser accepted (`"\u0000"`) and object or list literals nested too deep. */
const literalRule: ValidationRule = (context) => {
  let depth = 0;
  const enter = () => {
    depth++;
    if (depth === JSON_MAX_DEPTH + 1) {
      context.reportError(new GraphQLError(`A literal is nested deeper than ${JSON_MAX_DEPTH} levels`, { extensions: { code: CODE } }));
    }
  };
  const leave = () => {
    depth--;
  };
  return {
    StringValue(node) {
      const problem = textProblem(node.value);
      if (problem) context.reportError(new GraphQLError(`A string literal ${problem}`, { nodes: node, extensions: { code: CODE } }));
    },
    ObjectValue: { enter, leave },
    ListValue: { enter, leave },
  };
};

/** Each variable may nest JSON_MAX_DEPTH levels, like a JSON body: the map holding them is not counted. */
function variablesProblem(variables: unknown): string | undefined {
  if (typeof variables !== "object" || variables === null || Array.isArray(variables)) return valueProblem(variables);
  for (const [name, value] of Object.entries(variables)) {
    const problem = textProblem(name) ?? valueProblem(value);
    if (problem) return problem;
  }
  return undefined;
}

export function hostileInputPlugin(): Plugin {
  return {
    onParams({ params }) {
      if (typeof params.query === "string") {
        const problem = textProblem(params.query);
        if (problem) throw refusal(`The query ${problem}`);
      }
      if (typeof params.operationName === "string") {
        const problem = textProblem(params.operationName);
        if (problem) throw refusal(`The operation name ${problem}`);
      }
      const variables = variablesProblem(params.variables);
      if (variables) throw refusal(`Variables: ${variables}`);
      const extensions = valueProblem(params.extensions);
      if (extensions) throw refusal(`Extensions: ${extensions}`);
    },
    onValidate({ addValidationRule }) {
      addValidationRule(literalRule);
    },
    // Subscriptions over the WebSocket do not pass through onParams.
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = variablesProblem(args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [refusal(`Variables: ${problem}`)] });
    },
  };
}
