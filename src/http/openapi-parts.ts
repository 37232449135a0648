// The pieces every route's OpenAPI description is built from: the error body, the
// rate-limit headers every limited answer carries, form bodies, the sign-in redirect.
// Each route module describes its own paths in a sibling `*.openapi.ts` file; the
// document that assembles them and holds the components is src/rest/openapi.ts.

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const nullable = (type: string, extra: Schema = {}): Schema => ({ type: [type, "null"], ...extra });

export const limited = {
  "X-RateLimit-Limit": { $ref: "#/components/headers/X-RateLimit-Limit" },
  "X-RateLimit-Remaining": { $ref: "#/components/headers/X-RateLimit-Remaining" },
  "X-RateLimit-Reset": { $ref: "#/components/headers/X-RateLimit-Reset" },
};

export const json = (schema: Schema, description: string, extraHeaders: Schema = {}) => ({
  description,
  headers: { ...limited, ...extraHeaders },
  content: { "application/json": { schema } },
});

/** Browsers asking for a page without a session are sent to sign in. */
export const toLogin = { description: "No session: to /login?next=…", headers: { ...limited, Location: { schema: { type: "string", pattern: "^/login" } } } };

/** An HTML page, such as the sign-in page shown with its message in plain words. */
export const page = (description: string) => ({ description, headers: limited, content: { "text/html": { schema: { type: "string" } } } });

export const error = (description: string) => json(ref("Error"), description);

/** The errors every authenticated endpoint can answer with. */
export const common = {
  "401": error("Not signed in, or the credential was refused"),
  "429": { ...error("Rate limited"), headers: { ...limited, "Retry-After": { $ref: "#/components/headers/Retry-After" } } },
  "500": error("Internal error (no details)"),
};

export const formBody = (schema: Schema, required = true) => ({
  required,
  content: {
    "application/x-www-form-urlencoded": { schema },
    "application/json": { schema },
  },
});
