
-- CreateEnum
CREATE TYPE "UpstreamAuth" AS ENUM ('NONE', 'BEARER', 'API_KEY');

-- CreateEnum
CREATE TYPE "ToolChangeKind" AS ENUM ('ADDED', 'REMOVED', 'CHANGED');

-- AlterTable
ALTER TABLE "servers" ADD COLUMN     "last_latency_ms" INTEGER,
ADD COLUMN     "server_info" JSONB,
ADD COLUMN     "tools_changed_at" TIMESTAMPTZ(3),
ADD COLUMN     "tools_hash" TEXT,
ADD COLUMN     "upstream_auth" "UpstreamAuth" NOT NULL DEFAULT 'NONE',
ADD COLUMN     "upstream_auth_header" TEXT,
ADD COLUMN     "upstream_auth_secret" TEXT;

-- CreateTable
CREATE TABLE "tool_changes" (
    "id" UUID NOT NULL,
    "server_id" UUID NOT NULL,
    "kind" "ToolChangeKind" NOT NULL,
    "tool_name" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tool_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tool_changes_server_id_changed_at_idx" ON "tool_changes"("server_id", "changed_at" DESC);

-- AddForeignKey
ALTER TABLE "tool_changes" ADD CONSTRAINT "tool_changes_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

