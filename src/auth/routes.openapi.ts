// The OpenAPI path items of sign-in and sign-out (routes.ts), in the document
// src/rest/openapi.ts assembles.
import { common, error, formBody, limited, page, type Schema } from "../http/openapi-parts.ts";

export const authPaths: Record<string, Schema> = {
  "/login": {
    get: {
      summary: "Sign-in page (HTML): a button per provider, and the local admin form",
      operationId: "loginPage",
      security: [],
      responses: { "200": page("The page"), "429": common["429"] },
    },
    post: {
      summary: "Local admin sign-in; 303 to `next` with the session cookie",
      operationId: "login",
      security: [],
      requestBody: formBody({
        type: "object",
        required: ["username", "password"],
        properties: { username: { type: "string" }, password: { type: "string" }, next: { type: "string" } },
      }),
      responses: {
        "303": { description: "Signed in: to `next`", headers: { ...limited, Location: { schema: { type: "string" } } } },
        "400": page("Username or password missing"),
        "401": page("Invalid username or password"),
        "404": page("Local sign-in is not enabled"),
        "413": error("Body too large"),
        "415": error("Not a form or JSON body"),
        "429": { ...page("Too many failed attempts, or rate limited"), headers: { ...limited, "Retry-After": { $ref: "#/components/headers/Retry-After" } } },
      },
    },
  },
  "/auth/{provider}": {
    get: {
      summary: "Start OpenID Connect sign-in with a configured provider (authorization code, PKCE)",
      operationId: "oidcStart",
      security: [],
      parameters: [{ name: "provider", in: "path", required: true, schema: { type: "string" } }],
      responses: {
        "302": { description: "To the provider", headers: limited },
        "404": page("No such provider"),
        "429": common["429"],
        "502": page("The provider cannot be reached"),
      },
    },
  },
  "/auth/{provider}/callback": {
    get: {
      summary: "Complete OpenID Connect sign-in and create the session",
      operationId: "oidcCallback",
      security: [],
      parameters: [{ name: "provider", in: "path", required: true, schema: { type: "string" } }],
      responses: {
        "302": { description: "Signed in: to where sign-in started", headers: limited },
        "400": page("The sign-in expired or began in another browser"),
        "401": page("The provider refused, or the answer did not verify"),
        "404": page("No such provider"),
        "429": common["429"],
      },
    },
  },
  "/logout": {
    post: {
      summary: "End the session everywhere; `everywhere=on` also signs out at the provider",
      operationId: "logout",
      security: [],
      responses: {
        "303": { description: "To /login or the provider's logout", headers: { ...limited, Location: { schema: { type: "string" } } } },
        "403": error("A cross-site form post (CSRF check)"),
        "429": common["429"],
      },
    },
  },
  "/.well-known/jwks.json": {
    get: {
      summary: "The public key that verifies registry-issued tokens (not rate limited)",
      operationId: "jwks",
      security: [],
      responses: {
        "200": {
          description: "A JWK set",
          content: { "application/json": { schema: { type: "object", required: ["keys"], properties: { keys: { type: "array", minItems: 1 } } } } },
        },
      },
    },
  },
};
