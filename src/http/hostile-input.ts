// Text no request may carry, refused with 400 before anything parses, stores or
// recurses into it:
// - NUL bytes (U+0000): PostgreSQL text cannot hold them, so they failed deep inside
//   a query; the official registry refuses them in a middleware for the same reason.
// - lone surrogates (U+D800–U+DFFF without their pair): not Unicode text; jsonb refuses
//   the \ud800 escape JSON.stringify writes for them.
// - JSON nested deeper than JSON_MAX_DEPTH: Prisma and the schema validator walk values
//   recursively, and a few hundred levels exhaust the stack.
// The checks are iterative, so they cannot fail the way the code they protect did.
import type { Middleware } from "koa";
import { HttpError } from "./errors.ts";
import type { AppState } from "./state.ts";

/** Deepest nesting of objects and arrays a JSON value may have (README, Limits). */
export const JSON_MAX_DEPTH = 64;

// A high surrogate not followed by a low one, or a low one without a high one before it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What makes `text` unacceptable, in words for an error message; undefined when it is fine. */
export function textProblem(text: string): string | undefined {
  if (text.includes("\u0000")) return "contains a NUL byte";
  if (LONE_SURROGATE.test(text)) return "contains a lone surrogate (not Unicode text)";
  return undefined;
}

/**
 * What makes a parsed JSON value (or GraphQL variables) unacceptable: a string or
 * key that textProblem refuses, or nesting deeper than `maxDepth`. Undefined when fine.
 */
export function valueProblem(value: unknown, maxDepth = JSON_MAX_DEPTH): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (typeof v === "string") {
      const problem = textProblem(v);
      if (problem) return `a value ${problem}`;
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (depth >= maxDepth) return `is nested deeper than ${maxDepth} levels`;
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, item] of Object.entries(v)) {
      const problem = textProblem(key);
      if (problem) return `a key ${problem}`;
      stack.push({ value: item, depth: depth + 1 });
    }
  }
  return undefined;
}

export function hostileInputError(where: string, problem: string): HttpError {
  return new HttpError(400, "BAD_REQUEST", `${where} ${problem}`);
}

// As the router matches /graphql: any case, an optional trailing slash.
const GRAPHQL_PATH = /^\/graphql\/?$/i;

/**
 * Refuses a request whose path or query carries a NUL byte, before routing: route
 * parameters, query values and ids all come from there. (A percent-encoded surrogate
 * is invalid UTF-8 and decodes to U+FFFD, so only NUL needs checking here.)
 * Bodies are checked where they are read (body.ts), and GraphQL values in the
 * GraphQL layer, which also serves the WebSocket.
 */
export function refuseHostileUrl(): Middleware<AppState> {
  return async (ctx, next) => {
    // /graphql answers in GraphQL's own shape, and its plugin refuses the same text (graphql/hostile-input.ts).
    if (GRAPHQL_PATH.test(ctx.path)) return next();
    const url = ctx.originalUrl;
    const nul = [url.indexOf("%00"), url.indexOf("\u0000")].filter((i) => i !== -1).sort((a, b) => a - b)[0];
    if (nul !== undefined) {
      const query = url.indexOf("?");
      throw hostileInputError(query !== -1 && nul > query ? "The query string" : "The path", "contains a NUL byte");
    }
    await next();
  };
}
