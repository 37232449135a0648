// Table tests for the servers service's pure rules, the row builder and the event narrowing.
import { describe, expect, it } from "vitest";
import { ChangeFeed, type Change } from "../../src/db/changes.ts";
import { serverEventOf, ServerEvents, type ServerEvent } from "../../src/servers/events.ts";
import { countsOf, keepsSecret, toggleChange } from "../../src/servers/rules.ts";
import { searchTextOf } from "../../src/servers/search.ts";
import { serverRowOf } from "../../src/servers/service.ts";
import { validateRegistration } from "../../src/servers/validate.ts";

describe("toggleChange", () => {
  it.each([
    // wasEnabled, enabled, automatic checks -> data, checkNow, healthChanges
    [false, true, true, { enabled: true, healthStatus: "CHECKING", healthReason: null }, true, true],
    [false, true, false, { enabled: true }, false, true],
    [true, true, true, { enabled: true }, false, false],
    [true, false, true, { enabled: false }, false, true],
    [false, false, true, { enabled: false }, false, false],
    [true, false, false, { enabled: false }, false, true],
  ] as const)("was %s, set %s, checks on %s", (was, enabled, checks, data, checkNow, healthChanges) => {
    expect(toggleChange(was, enabled, checks)).toEqual({ data, checkNow, healthChanges });
  });
});

describe("keepsSecret", () => {
  it.each([
    ["a new server", null, "BEARER", false],
    ["same type, a secret stored", { upstreamAuth: "BEARER", upstreamAuthSecret: "enc" }, "BEARER", true],
    ["same type, no secret stored", { upstreamAuth: "API_KEY", upstreamAuthSecret: null }, "API_KEY", false],
    ["another type", { upstreamAuth: "BEARER", upstreamAuthSecret: "enc" }, "API_KEY", false],
  ] as const)("%s -> %s", (_name, current, type, expected) => {
    expect(keepsSecret(current, type)).toBe(expected);
  });
});

describe("countsOf", () => {
  it("adds groups by the state a viewer sees; a disabled server counts as disabled only", () => {
    expect(
      countsOf([
        { enabled: true, healthStatus: "HEALTHY", count: 4 },
        { enabled: true, healthStatus: "UNHEALTHY", count: 2 },
        { enabled: true, healthStatus: "CHECKING", count: 1 },
        { enabled: true, healthStatus: "UNKNOWN", count: 3 },
        { enabled: false, healthStatus: "HEALTHY", count: 5 },
        { enabled: false, healthStatus: "UNKNOWN", count: 6 },
      ]),
    ).toEqual({ total: 21, healthy: 4, unhealthy: 2, checking: 1, unknown: 3, disabled: 11 });
  });

  it("counts nothing as zeros", () => {
    expect(countsOf([])).toEqual({ total: 0, healthy: 0, unhealthy: 0, checking: 0, unknown: 0, disabled: 0 });
  });
});

describe("serverRowOf", () => {
  const checked = validateRegistration({ name: " Weather ", path: "Weather/", proxyPassUrl: "http://localhost:8000/mcp", tags: ["Ops"], metadata: { team: "Sky" } });
  if (!checked.ok) throw new Error("fixture must validate");

  it("gives the validated fields, defaults and the derived search text", () => {
    expect(serverRowOf(checked.value)).toEqual({
      name: "Weather",
      description: "",
      path: "/weather",
      proxyPassUrl: "http://localhost:8000/mcp",
      tags: ["ops"],
      numTools: 0,
      numStars: 0,
      isPython: false,
      license: "N/A",
      metadata: { team: "Sky" },
      transport: "AUTO",
      upstreamTimeoutSeconds: null,
      searchText: searchTextOf(checked.value),
    });
    expect(serverRowOf(checked.value).searchText).toContain("sky");
  });

  it("carries the credential columns it is given, and no others", () => {
    const row = serverRowOf(checked.value, { upstreamAuth: "API_KEY", upstreamAuthHeader: "x-api-key", upstreamAuthSecret: "v1:sealed" });
    expect(row).toMatchObject({ upstreamAuth: "API_KEY", upstreamAuthHeader: "x-api-key", upstreamAuthSecret: "v1:sealed" });
    expect(Object.keys(serverRowOf(checked.value))).not.toContain("upstreamAuth");
  });
});

describe("serverEventOf", () => {
  const lifecycle: ServerEvent = { type: "deleted", serverId: "id-1", path: "/a" };
  it.each<[string, Change, ServerEvent | undefined]>([
    ["a lifecycle event", { entity: "server", path: "/a", event: lifecycle }, lifecycle],
    ["a change without an event", { entity: "server", path: "/a" }, undefined],
    ["another capability's event", { entity: "policy", event: { type: "reloaded", path: "/" } }, undefined],
    ["an event without a path", { entity: "server", event: { type: "updated", serverId: "id-1" } }, undefined],
  ])("%s", (_name, change, expected) => {
    expect(serverEventOf(change)).toEqual(expected);
  });

  it("ServerEvents hears its own kinds through the feed, and not others'", () => {
    const changes = new ChangeFeed();
    const events = new ServerEvents(changes);
    const heard: ServerEvent[] = [];
    const stop = events.subscribe((e) => heard.push(e));
    changes.publish({ entity: "token", id: "jti", event: { type: "revoked", path: "/x" } });
    events.publish(lifecycle);
    stop();
    expect(heard).toEqual([lifecycle]);
  });
});
