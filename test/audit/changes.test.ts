// Audit rows for token revocation, access-policy changes, registry publishing, status
// changes and version edits, and failed OIDC sign-ins: each made through the real API,
// each read back from the table, and the chain still verifies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../src/generated/gql/index.ts";
import { verifyAuditChain } from "../../src/audit/log.ts";
import { CURRENT_SCHEMA } from "../../src/registry/validate.ts";
import { freePort, startApp, stopApp, tokenFor, type TestApp } from "../support/app.ts";
import { startIdp, type Idp } from "../support/idp.ts";
import { GenerateToken, RevokeToken, UpdatePolicy } from "../support/operations.ts";

const Publish = graphql(`
  mutation TestAuditPublish($document: JSON!) {
    publishServer(document: $document) {
      __typename
    }
  }
`);
const Edit = graphql(`
  mutation TestAuditEdit($name: String!, $version: String!, $document: JSON!) {
    editServerVersion(name: $name, version: $version, document: $document) {
      __typename
    }
  }
`);
const SetStatus = graphql(`
  mutation TestAuditStatus($name: String!, $version: String, $status: ServerStatus!, $statusMessage: String) {
    setRegistryStatus(name: $name, version: $version, status: $status, statusMessage: $statusMessage) {
      __typename
    }
  }
`);

let app: TestApp;
let idp: Idp;

beforeAll(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  idp = await startIdp({ redirectUris: [`${publicUrl}/auth/keycloak/callback`] });
  app = await startApp({
    env: {
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      OIDC_PROVIDERS: "keycloak",
      OIDC_KEYCLOAK_ISSUER: idp.issuer,
      OIDC_KEYCLOAK_CLIENT_ID: idp.webClient.clientId,
      OIDC_KEYCLOAK_CLIENT_SECRET: idp.webClient.clientSecret,
      OIDC_KEYCLOAK_AUDIENCE: idp.audience,
    },
  });
});
afterAll(async () => {
  await stopApp(app);
  await idp?.close();
});

const eventsOf = (action: string) =>
  app.db.prisma.auditEvent.findMany({
    where: { action },
    orderBy: { id: "asc" },
    select: { actor: true, actorName: true, authMethod: true, outcome: true, serverPath: true, details: true },
  });
const admin = { actor: "test-admin", actorName: "test-admin", authMethod: "bearer-registry", outcome: "ok" };

describe("audit rows for changes", () => {
  it("records a token revoked, by whom, with at most 6 characters of its id", async () => {
    const generated = await app.gqlOk(GenerateToken, { input: { scopes: ["list_service"] } });
    if (generated.generateToken.__typename !== "GenerateTokenSuccess") throw new Error(generated.generateToken.__typename);
    const jti = generated.generateToken.generated.token.jti;
    expect((await app.gqlOk(RevokeToken, { jti })).revokeToken.__typename).toBe("RevokeTokenSuccess");
    expect(await eventsOf("token.revoke")).toEqual([{ ...admin, serverPath: null, details: { tokenId: jti.slice(0, 6), owner: "test-admin" } }]);
    // Revoking someone else's token as a non-admin changes nothing and records nothing.
    const carol = await tokenFor(app, { subject: "carol-sub", username: "carol", groups: [], scopes: ["list_service"] });
    const r = await app.gql(RevokeToken, { jti }, { authorization: `Bearer ${carol}` });
    expect(r.data?.revokeToken.__typename).not.toBe("RevokeTokenSuccess");
    expect(await eventsOf("token.revoke")).toHaveLength(1);
  });

  it("records an access-policy change, and none for a refused one", async () => {
    const r = await app.gqlOk(UpdatePolicy, { document: { groups: { "team-a": [{ servers: ["/a"], permissions: ["list_service"] }] } } });
    expect(r.updateAccessPolicy.__typename).toBe("UpdateAccessPolicySuccess");
    const bad = await app.gqlOk(UpdatePolicy, { document: { groups: { "team-a": [{ servers: ["/a"], permissions: ["no-such-permission"] }] } } });
    expect(bad.updateAccessPolicy.__typename).toBe("ValidationError");
    expect(await eventsOf("policy.replace")).toEqual([{ ...admin, serverPath: null, details: { source: "edit", groups: 1 } }]);
  });

  it("records a registry publish, a version edit and a status change", async () => {
    const doc = { $schema: CURRENT_SCHEMA, name: "com.example/audited", description: "Audited", version: "1.0.0" };
    expect((await app.gqlOk(Publish, { document: doc })).publishServer.__typename).toBe("PublishServerSuccess");
    expect((await app.gqlOk(Publish, { document: doc })).publishServer.__typename).not.toBe("PublishServerSuccess");
    expect((await app.gqlOk(Edit, { name: doc.name, version: "1.0.0", document: { ...doc, description: "Edited" } })).editServerVersion.__typename).toBe(
      "EditServerVersionSuccess",
    );
    const status = await app.gqlOk(SetStatus, { name: doc.name, version: "1.0.0", status: "DEPRECATED", statusMessage: "Use v2" });
    expect(status.setRegistryStatus.__typename).toBe("SetRegistryStatusSuccess");
    const entry = { name: doc.name, version: "1.0.0" };
    expect(await eventsOf("registry.publish")).toEqual([{ ...admin, serverPath: null, details: entry }]);
    expect(await eventsOf("registry.edit")).toEqual([{ ...admin, serverPath: null, details: entry }]);
    expect(await eventsOf("registry.status")).toEqual([{ ...admin, serverPath: null, details: { ...entry, status: "DEPRECATED" } }]);
  });

  it("records failed OIDC sign-ins: refused by the provider, no pending sign-in, a bad callback", async () => {
    const refused = await fetch(`${app.url}/auth/keycloak/callback?error=access_denied&error_description=${"x".repeat(50)}`, { redirect: "manual" });
    expect(refused.status).toBe(401);
    const stale = await fetch(`${app.url}/auth/keycloak/callback?code=abc&state=def`, { redirect: "manual" });
    expect(stale.status).toBe(400);
    const start = await fetch(`${app.url}/auth/keycloak`, { redirect: "manual" });
    expect(start.status).toBe(302);
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const bad = await fetch(`${app.url}/auth/keycloak/callback?code=forged-code&state=forged-state`, { headers: { cookie }, redirect: "manual" });
    expect(bad.status).toBe(401);
    const failed = (reason: string) => ({ actor: "oidc:keycloak", actorName: "unknown", authMethod: "session-oidc", outcome: "denied", serverPath: null, details: { provider: "keycloak", reason } });
    expect(await eventsOf("auth.sign_in_failed")).toEqual([failed("provider_refused"), failed("no_pending_sign_in"), failed("callback_failed")]);
    expect(JSON.stringify(await eventsOf("auth.sign_in_failed"))).not.toContain("xxxxxxxx");
    expect(await verifyAuditChain(app.db.prisma)).toMatchObject({ ok: true });
  });
});
