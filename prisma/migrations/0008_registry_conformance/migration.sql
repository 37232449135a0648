-- The registry API behaves like the official registry's:
-- 1. A published version's document may be edited (PUT /v0.1/servers/{name}/versions/{version});
--    its name and version still never change (a new version is published instead).
-- 2. Every entry has statusChangedAt from its publication on.
-- 3. A remote URL belongs to one server name: the publish path looks remotes up by URL
--    (registry_entry_remotes, below).

CREATE OR REPLACE FUNCTION "registry_entries_keep_published"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."name" IS DISTINCT FROM OLD."name" OR NEW."version" IS DISTINCT FROM OLD."version" THEN
    RAISE EXCEPTION 'published version % % cannot be renamed or renumbered; publish a new version', OLD."name", OLD."version";
  END IF;
  RETURN NEW;
END
$$;

UPDATE "registry_entries" SET "status_changed_at" = "published_at" WHERE "status_changed_at" IS NULL;

-- The remote URLs of each published version, one row each, so that "which other name
-- lists this URL" is an index lookup (url, name) rather than a scan of documents.
CREATE TABLE "registry_entry_remotes" (
    "entry_id" UUID NOT NULL REFERENCES "registry_entries"("id") ON DELETE CASCADE,
    "name" TEXT COLLATE "C" NOT NULL,
    "url" TEXT COLLATE "C" NOT NULL,
    CONSTRAINT "registry_entry_remotes_pkey" PRIMARY KEY ("entry_id", "url")
);
CREATE INDEX "registry_entry_remotes_url_name_idx" ON "registry_entry_remotes"("url", "name");

INSERT INTO "registry_entry_remotes" ("entry_id", "name", "url")
SELECT DISTINCT e."id", e."name", r ->> 'url'
FROM "registry_entries" e, jsonb_array_elements(CASE WHEN jsonb_typeof(e."server_json" -> 'remotes') = 'array' THEN e."server_json" -> 'remotes' ELSE '[]'::jsonb END) AS r
WHERE jsonb_typeof(r -> 'url') = 'string';
