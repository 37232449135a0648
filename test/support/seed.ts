// Rows the tests write straight into the database, for what the API cannot make
// (the suites run without health checks, so nothing discovers tools).
import type { Prisma } from "../../src/generated/prisma/client.ts";
import type { TestApp } from "./app.ts";

export type SeededTool = Omit<Prisma.ToolCreateManyInput, "serverId">;

/** Stores `tools` for the server at `serverPath` as discovery would have; resolves with that server's id. */
export async function seedTools(app: TestApp, serverPath: string, tools: SeededTool[]): Promise<string> {
  const server = await app.db.prisma.server.findUniqueOrThrow({ where: { path: serverPath } });
  await app.db.prisma.tool.createMany({ data: tools.map((t) => ({ ...t, serverId: server.id })) });
  return server.id;
}
