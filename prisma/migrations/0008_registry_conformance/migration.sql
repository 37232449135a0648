-- The registry API behaves like the official registry's:
-- 1. A published version's document may be edited (PUT /v0.1/servers/{name}/versions/{version});
--    its name and version still never change (a new version is published instead).
-- 2. Every entry has statusChangedAt from its publication on.
-- 3. A remote URL belongs to one server name: the publish path looks remotes up by URL,
--    through an index on the document's remotes (exact jsonb containment).

CREATE OR REPLACE FUNCTION "registry_entries_keep_published"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."name" IS DISTINCT FROM OLD."name" OR NEW."version" IS DISTINCT FROM OLD."version" THEN
    RAISE EXCEPTION 'published version % % cannot be renamed or renumbered; publish a new version', OLD."name", OLD."version";
  END IF;
  RETURN NEW;
END
$$;

UPDATE "registry_entries" SET "status_changed_at" = "published_at" WHERE "status_changed_at" IS NULL;

CREATE INDEX "registry_entries_remotes_idx" ON "registry_entries" USING gin (("server_json" -> 'remotes') jsonb_path_ops);
