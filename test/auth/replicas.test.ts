// Sessions live in the database: two replicas on one PostgreSQL share them, and a
// logout on one ends the session on the other at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres, type TestApp } from "../support/app.ts";
import { startReplicas, type Replicas } from "../support/replicas.ts";
import { signInAsAdmin } from "../support/session.ts";

describe.runIf(onPostgres)("sessions across replicas (PostgreSQL)", () => {
  let replicas: Replicas | undefined;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    replicas = await startReplicas();
    [a, b] = replicas.apps;
  });
  afterAll(async () => {
    await replicas?.close();
  });

  it("a session made on one replica works on the other, and logout on one ends it on both", async () => {
    const cookie = await signInAsAdmin(a.url);
    expect((await fetch(`${b.url}/api/tokens`, { headers: { cookie } })).status).toBe(200);
    const out = await fetch(`${a.url}/logout`, { method: "POST", headers: { cookie }, redirect: "manual" });
    expect(out.status).toBe(303);
    await expect.poll(async () => (await fetch(`${b.url}/api/tokens`, { headers: { cookie } })).status, { timeout: 5_000 }).toBe(401);
    expect((await fetch(`${a.url}/api/tokens`, { headers: { cookie } })).status).toBe(401);
  });
});
