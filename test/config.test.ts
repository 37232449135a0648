import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("settings", () => {
  it("has sane defaults", () => {
    const c = loadConfig({});
    expect(c.port).toBe(7860);
    expect(c.host).toBe("0.0.0.0");
    expect(c.publicUrl).toBe("http://localhost:7860");
    expect(c.database.kind).toBe("pglite");
    expect(c.log.level).toBe("info");
  });

  it("selects PostgreSQL by URL and keeps a trailing-slash-free public URL", () => {
    const c = loadConfig({ DATABASE_URL: "postgresql://u:p@db:5432/reg", PUBLIC_URL: "https://reg.example.com/" });
    expect(c.database).toMatchObject({ kind: "postgres", url: "postgresql://u:p@db:5432/reg" });
    expect(c.publicUrl).toBe("https://reg.example.com");
  });

  it.each([
    ["PORT", "abc", "invalid setting PORT: expected a whole number"],
    ["PORT", "70000", "invalid setting PORT: must be between 0 and 65535"],
    ["DATABASE_URL", "mysql://u:secret@db/x", "invalid setting DATABASE_URL: must start with postgres://"],
    ["LOG_LEVEL", "loud", "invalid setting LOG_LEVEL: must be one of"],
    ["PUBLIC_URL", "ftp://x", "invalid setting PUBLIC_URL"],
    ["GRAPHIQL", "maybe", "invalid setting GRAPHIQL: expected true or false"],
  ])("%s=%s is refused with a message naming it", (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it("never repeats a password from DATABASE_URL in its message", () => {
    expect(() => loadConfig({ DATABASE_URL: "mysql://u:hunter2@db/x" })).toThrow(/u:\*\*\*@/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://u:hunter2@db/x" })).not.toThrow(/hunter2/);
  });
});

describe("the process with a bad setting", () => {
  it("exits with code 1 and one readable line, no stack trace", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env: { ...process.env, PORT: "not-a-port", DATA_DIR: "/nonexistent/never-created" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'mcp-gateway-registry: invalid setting PORT: expected a whole number, got "not-a-port"',
    );
    expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
