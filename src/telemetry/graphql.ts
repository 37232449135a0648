// A span per GraphQL execution, `graphql.execute`, around the resolvers (so their queries
// are its children), with the operation's type and name. Variables and the document are
// not recorded.
import { SpanKind, trace } from "@opentelemetry/api";
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { inSpan } from "./spans.ts";

export function graphqlTracingPlugin(): Plugin {
  return {
    instrumentation: {
      execute: (_payload, wrapped) => inSpan("graphql.execute", {}, async () => void (await wrapped()), SpanKind.INTERNAL),
      subscribe: (_payload, wrapped) => inSpan("graphql.subscribe", {}, async () => void (await wrapped()), SpanKind.INTERNAL),
    },
    onExecute({ args }) {
      const span = trace.getActiveSpan();
      if (!span) return;
      const operation = getOperationAST(args.document, args.operationName);
      const type = operation?.operation ?? "query";
      const name = operation?.name?.value;
      span.updateName(name ? `${type} ${name}` : type);
      span.setAttribute("graphql.operation.type", type);
      if (name) span.setAttribute("graphql.operation.name", name);
    },
  };
}
