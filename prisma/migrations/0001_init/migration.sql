-- pg_trgm backs the case-insensitive substring search (servers.search_text). It lives in
-- public so that every schema (one per deployment or test) finds its operator classes.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Transport" AS ENUM ('AUTO', 'STREAMABLE_HTTP', 'SSE');

-- CreateEnum
CREATE TYPE "HealthStatus" AS ENUM ('UNKNOWN', 'CHECKING', 'HEALTHY', 'UNHEALTHY');

-- CreateEnum
CREATE TYPE "ServerStatus" AS ENUM ('ACTIVE', 'DEPRECATED', 'DELETED');

-- CreateTable
CREATE TABLE "servers" (
    "id" UUID NOT NULL,
    "path" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "proxy_pass_url" TEXT NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "num_tools" INTEGER NOT NULL DEFAULT 0,
    "num_stars" INTEGER NOT NULL DEFAULT 0,
    "is_python" BOOLEAN NOT NULL DEFAULT false,
    "license" TEXT NOT NULL DEFAULT 'N/A',
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "transport" "Transport" NOT NULL DEFAULT 'AUTO',
    "search_text" TEXT NOT NULL DEFAULT '',
    "health_status" "HealthStatus" NOT NULL DEFAULT 'UNKNOWN',
    "health_reason" TEXT,
    "last_checked" TIMESTAMPTZ(3),
    "registry_name" TEXT,
    "version" TEXT NOT NULL DEFAULT '1.0.0',
    "status" "ServerStatus" NOT NULL DEFAULT 'ACTIVE',
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_latest" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "servers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tools" (
    "id" UUID NOT NULL,
    "server_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "description" TEXT NOT NULL DEFAULT '',
    "input_schema" JSONB NOT NULL DEFAULT '{}',
    "output_schema" JSONB,
    "annotations" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tools_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "health_checks" (
    "id" UUID NOT NULL,
    "server_id" UUID NOT NULL,
    "status" "HealthStatus" NOT NULL,
    "reason" TEXT,
    "latency_ms" INTEGER,
    "checked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "health_checks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "servers_path_key" ON "servers"("path");

-- CreateIndex
CREATE INDEX "servers_search_text_trgm_idx" ON "servers" USING GIN ("search_text" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "servers_updated_at_idx" ON "servers"("updated_at");

-- CreateIndex
CREATE UNIQUE INDEX "servers_registry_name_version_key" ON "servers"("registry_name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "tools_server_id_name_key" ON "tools"("server_id", "name");

-- CreateIndex
CREATE INDEX "health_checks_server_id_checked_at_idx" ON "health_checks"("server_id", "checked_at" DESC);

-- AddForeignKey
ALTER TABLE "tools" ADD CONSTRAINT "tools_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "health_checks" ADD CONSTRAINT "health_checks_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

