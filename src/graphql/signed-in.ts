// "Signed in" for GraphQL, in one place: @envelop/generic-auth in protect-all mode refuses
// every field of an operation whose context has no viewer (introspection fields aside, which
// generic-auth never protects). That holds for every caller: /graphql, the REST handlers'
// in-process operations and subscriptions. The HTTP layer refuses anonymous requests
// earlier (auth/viewer.ts requireViewer), with a 401 or a redirect to /login.
//
// protect-all checks by an extra validation pass over the document at every execution, and
// hands on a rewritten copy of it (which defeats the per-document caches after it, cost-limit.ts).
// Its verdict for a signed-in viewer depends on the document and operation only (no field
// asks for scopes or policies, and validateUser below looks at nothing but the viewer's
// presence), so a pass is remembered per parsed document: yoga reuses a document object for
// the same text (document-cache.ts), and a WeakMap lets an entry go with its document.
import { useGenericAuth, type ValidateUserFn } from "@envelop/generic-auth";
import { GraphQLError, type DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";

const UNAUTHENTICATED = "Unauthenticated: sign in, or send `Authorization: Bearer <token>`";

type Caller = { viewer?: unknown };

const validateUser: ValidateUserFn<unknown> = ({ user }) =>
  user == null ? new GraphQLError(UNAUTHENTICATED, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } }) : undefined;

type Handler = (payload: {
  args: { document: DocumentNode; operationName?: string | null; contextValue: unknown };
  setResultAndStopExecution: (result: never) => void;
}) => unknown;

export function signedInPlugin(): Plugin {
  const genericAuth = useGenericAuth({
    mode: "protect-all",
    contextFieldName: "viewer",
    resolveUserFn: (context: Caller) => context.viewer ?? null,
    validateUser,
  }) as Plugin;
  /** Operation names (or "" for the only one) that passed, per document, for signed-in viewers. */
  const passed = new WeakMap<DocumentNode, Set<string>>();

  const remembered = (inner: Handler): Handler => (payload) => {
    const { args } = payload;
    const signedIn = (args.contextValue as Caller).viewer != null;
    const operation = args.operationName ?? "";
    if (signedIn && passed.get(args.document)?.has(operation)) return undefined;
    const document = args.document;
    let refused = false;
    const result = inner({
      ...payload,
      setResultAndStopExecution: (r) => {
        refused = true;
        payload.setResultAndStopExecution(r);
      },
    });
    if (!refused) {
      // A document that passes comes back unchanged but for a copy: keep the original, which
      // the caches after this plugin know.
      args.document = document;
      if (signedIn) {
        let names = passed.get(document);
        if (!names) passed.set(document, (names = new Set()));
        names.add(operation);
      }
    }
    return result;
  };

  return {
    ...genericAuth,
    onPluginInit(init) {
      genericAuth.onPluginInit?.({
        ...init,
        // generic-auth adds one plugin, @envelop/extended-validation, which runs the pass.
        addPlugin: (plugin: Plugin) => {
          const p = plugin as Plugin & { onExecute?: Handler; onSubscribe?: Handler };
          init.addPlugin({
            ...plugin,
            ...(p.onExecute ? { onExecute: remembered(p.onExecute) } : {}),
            ...(p.onSubscribe ? { onSubscribe: remembered(p.onSubscribe) } : {}),
          } as Plugin);
        },
      });
    },
  };
}
