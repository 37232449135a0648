-- Published registry entries get their own table. Until now each was a disabled
-- `servers` row (registry_name and server_json set, at a path derived from its name and
-- version); those rows move here unchanged and leave `servers`, with any tools, health
-- checks and tool changes they had.
--
-- name and version compare byte for byte (COLLATE "C"): no case folding in the unique
-- key, and the registry API's order (name, then version) is the same on every database.

-- CreateTable
CREATE TABLE "registry_entries" (
    "id" UUID NOT NULL,
    "name" TEXT COLLATE "C" NOT NULL,
    "version" TEXT COLLATE "C" NOT NULL,
    "server_json" JSONB NOT NULL,
    "status" "ServerStatus" NOT NULL DEFAULT 'ACTIVE',
    "status_message" TEXT,
    "status_changed_at" TIMESTAMPTZ(3),
    "is_latest" BOOLEAN NOT NULL DEFAULT false,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "registry_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "registry_entries_updated_at_idx" ON "registry_entries"("updated_at");

-- CreateIndex
CREATE UNIQUE INDEX "registry_entries_name_version_key" ON "registry_entries"("name", "version");

-- A published version is immutable: its status may change, its name, version and
-- document never do (a new version is published instead).
CREATE FUNCTION "registry_entries_keep_published"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."name" IS DISTINCT FROM OLD."name" OR NEW."version" IS DISTINCT FROM OLD."version"
     OR NEW."server_json" IS DISTINCT FROM OLD."server_json" THEN
    RAISE EXCEPTION 'published version % % cannot change; publish a new version', OLD."name", OLD."version";
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "registry_entries_keep_published" BEFORE UPDATE ON "registry_entries"
  FOR EACH ROW EXECUTE FUNCTION "registry_entries_keep_published"();

-- Move the published rows (the same id, so nothing that names one changes meaning).
INSERT INTO "registry_entries" ("id", "name", "version", "server_json", "status", "status_message",
    "status_changed_at", "is_latest", "published_at", "updated_at")
SELECT "id", "registry_name", "version", "server_json", "status", "status_message",
    "status_changed_at", "is_latest", "published_at", "updated_at"
FROM "servers"
WHERE "registry_name" IS NOT NULL AND "server_json" IS NOT NULL;

-- Their tools, health checks and tool changes go with them (ON DELETE CASCADE).
DELETE FROM "servers" WHERE "registry_name" IS NOT NULL AND "server_json" IS NOT NULL;

-- DropIndex
DROP INDEX "servers_registry_name_version_key";

-- AlterTable
ALTER TABLE "servers" DROP COLUMN "registry_name",
DROP COLUMN "server_json";

-- The registry API lists gateway servers in byte order of their paths, which is the
-- order of their names ({namespace}/{path with / as .}); see src/registry/gateway-sql.ts.
CREATE INDEX "servers_path_c_idx" ON "servers"("path" COLLATE "C");
