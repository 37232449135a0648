-- Search index (issue 16): one document per server and per tool. Triggers on servers and
-- tools rewrite the documents in the statement that changes their source, so every writer
-- (registration, update, toggle, tool discovery, registry status, bulk seeding) keeps the
-- index in its own transaction, and a new server is findable by the very next request.
-- Existing rows are indexed at the end of this migration (the backfill).

-- Names as words: camelCase, snake_case, kebab-case and dotted names split apart.
-- src/search/words.ts splitWords does the same to queries (a test compares the two).
CREATE FUNCTION search_split(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT btrim(lower(regexp_replace(regexp_replace(regexp_replace(coalesce(t, ''),
    '([a-z0-9])([A-Z])', '\1 \2', 'g'),
    '([A-Z]+)([A-Z][a-z])', '\1 \2', 'g'),
    '[^a-zA-Z0-9\u00C0-\u024F]+', ' ', 'g')))
$$;

-- Metadata keys and scalar values, at every depth, as one line of text.
CREATE FUNCTION search_json_text(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(x, ' '), '') FROM (
    SELECT CASE jsonb_typeof(v)
      WHEN 'object' THEN (SELECT string_agg(k, ' ') FROM jsonb_object_keys(v) k)
      WHEN 'array' THEN NULL
      WHEN 'null' THEN NULL
      ELSE v #>> '{}'
    END AS x
    FROM jsonb_path_query(coalesce(j, '{}'::jsonb), 'strict $.**') v
  ) parts
$$;

-- Input-schema property names and their descriptions ("city: The city name").
CREATE FUNCTION search_params_text(schema jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(p.key || coalesce(': ' || (p.value ->> 'description'), ''), E'\n' ORDER BY p.key), '')
  FROM jsonb_each(CASE WHEN jsonb_typeof(schema -> 'properties') = 'object' THEN schema -> 'properties' ELSE '{}'::jsonb END) p
$$;

CREATE TABLE "search_documents" (
  "kind" TEXT NOT NULL CHECK ("kind" IN ('server', 'tool')),
  "ref_id" UUID NOT NULL,
  "server_id" UUID NOT NULL REFERENCES "servers"("id") ON DELETE CASCADE,
  "name" TEXT NOT NULL,
  "path" TEXT NOT NULL,
  "enabled" BOOLEAN NOT NULL,
  -- The name split into lower-case words: what the trigram and name arms match.
  "name_words" TEXT NOT NULL,
  "content" TEXT NOT NULL,
  "content_hash" TEXT NOT NULL,
  "tsv" TSVECTOR NOT NULL,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY ("kind", "ref_id")
);
-- fastupdate off: GIN's pending list is scanned linearly by every search until a vacuum
-- merges it (measured: 20 ms per search after a bulk load); searches far outnumber writes.
CREATE INDEX "search_documents_tsv_idx" ON "search_documents" USING GIN ("tsv") WITH (fastupdate = off);
CREATE INDEX "search_documents_name_words_trgm_idx" ON "search_documents" USING GIN ("name_words" gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX "search_documents_name_words_idx" ON "search_documents" ("name_words" text_pattern_ops);
CREATE INDEX "search_documents_server_id_idx" ON "search_documents" ("server_id");
CREATE INDEX "search_documents_updated_at_idx" ON "search_documents" ("updated_at");

-- Rewrites the documents of these servers (not their tools').
CREATE FUNCTION search_index_servers(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO search_documents AS d (kind, ref_id, server_id, name, path, enabled, name_words, content, content_hash, tsv, updated_at)
  SELECT 'server', s.id, s.id, s.name, s.path, s.enabled, search_split(s.name), c.content,
         encode(sha256(convert_to(c.content, 'UTF8')), 'hex'),
         setweight(to_tsvector('english', search_split(s.name) || ' ' || search_split(s.path)), 'A')
         || setweight(to_tsvector('english', search_split(s.description) || ' ' || search_split(array_to_string(s.tags, ' '))), 'B')
         || setweight(to_tsvector('english', search_split(t.names)), 'C')
         || setweight(to_tsvector('english', search_split(search_json_text(s.metadata))), 'D'),
         now()
  FROM servers s
  CROSS JOIN LATERAL (SELECT coalesce(string_agg(tl.name, ' ' ORDER BY tl.name), '') AS names FROM tools tl WHERE tl.server_id = s.id) t
  CROSS JOIN LATERAL (SELECT concat_ws(E'\n', s.name, s.path, nullif(s.description, ''), nullif(array_to_string(s.tags, ' '), ''),
                                      nullif(search_json_text(s.metadata), ''), nullif(t.names, '')) AS content) c
  WHERE s.id = ANY(ids)
  ON CONFLICT (kind, ref_id) DO UPDATE SET
    name = excluded.name, path = excluded.path, enabled = excluded.enabled, name_words = excluded.name_words,
    content = excluded.content, content_hash = excluded.content_hash, tsv = excluded.tsv, updated_at = excluded.updated_at
  WHERE (d.name, d.path, d.enabled, d.content_hash) IS DISTINCT FROM (excluded.name, excluded.path, excluded.enabled, excluded.content_hash)
$$;

-- Rewrites the documents of these tools (or, with servers given, of every tool of those servers).
CREATE FUNCTION search_index_tools(tool_ids uuid[], server_ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO search_documents AS d (kind, ref_id, server_id, name, path, enabled, name_words, content, content_hash, tsv, updated_at)
  SELECT 'tool', tl.id, s.id, tl.name, s.path, s.enabled, search_split(tl.name), c.content,
         encode(sha256(convert_to(c.content, 'UTF8')), 'hex'),
         setweight(to_tsvector('english', search_split(tl.name) || ' ' || search_split(coalesce(tl.title, ''))), 'A')
         || setweight(to_tsvector('english', search_split(tl.description)), 'B')
         || setweight(to_tsvector('english', search_split(search_params_text(tl.input_schema))), 'C')
         || setweight(to_tsvector('english', search_split(s.name)), 'D'),
         now()
  FROM tools tl
  JOIN servers s ON s.id = tl.server_id
  CROSS JOIN LATERAL (SELECT concat_ws(E'\n', tl.name, nullif(tl.title, ''), nullif(tl.description, ''),
                                      nullif(search_params_text(tl.input_schema), ''), s.name) AS content) c
  WHERE tl.id = ANY(tool_ids) OR tl.server_id = ANY(server_ids)
  ON CONFLICT (kind, ref_id) DO UPDATE SET
    name = excluded.name, path = excluded.path, enabled = excluded.enabled, name_words = excluded.name_words,
    content = excluded.content, content_hash = excluded.content_hash, tsv = excluded.tsv, updated_at = excluded.updated_at
  WHERE (d.name, d.path, d.enabled, d.content_hash) IS DISTINCT FROM (excluded.name, excluded.path, excluded.enabled, excluded.content_hash)
$$;

-- Statement-level triggers with transition tables: a batch of a thousand rows is one rewrite,
-- not a thousand. A server's deletion removes its documents through the foreign key.
CREATE FUNCTION search_servers_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_index_servers(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $$;

CREATE FUNCTION search_servers_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed uuid[];
  moved uuid[];
BEGIN
  -- Health results update servers all the time; only the indexed columns matter here.
  SELECT array_agg(n.id) FILTER (WHERE (o.name, o.path, o.description, o.tags, o.metadata, o.enabled)
                                       IS DISTINCT FROM (n.name, n.path, n.description, n.tags, n.metadata, n.enabled)),
         array_agg(n.id) FILTER (WHERE (o.name, o.path, o.enabled) IS DISTINCT FROM (n.name, n.path, n.enabled))
    INTO changed, moved
    FROM new_rows n JOIN old_rows o ON o.id = n.id;
  IF changed IS NOT NULL THEN PERFORM search_index_servers(changed); END IF;
  -- A tool's document carries its server's name, path and enabled flag.
  IF moved IS NOT NULL THEN PERFORM search_index_tools(ARRAY[]::uuid[], moved); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION search_tools_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_index_tools(ARRAY(SELECT id FROM new_rows), ARRAY[]::uuid[]);
  -- A server's document lists its tools' names.
  PERFORM search_index_servers(ARRAY(SELECT DISTINCT server_id FROM new_rows));
  RETURN NULL;
END $$;

CREATE FUNCTION search_tools_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM search_documents d USING old_rows o WHERE d.kind = 'tool' AND d.ref_id = o.id;
  PERFORM search_index_servers(ARRAY(SELECT DISTINCT server_id FROM old_rows));
  RETURN NULL;
END $$;

CREATE TRIGGER search_servers_insert AFTER INSERT ON servers REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_servers_inserted();
CREATE TRIGGER search_servers_update AFTER UPDATE ON servers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_servers_updated();
CREATE TRIGGER search_tools_insert AFTER INSERT ON tools REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_tools_written();
CREATE TRIGGER search_tools_update AFTER UPDATE ON tools REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_tools_written();
CREATE TRIGGER search_tools_delete AFTER DELETE ON tools REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_tools_deleted();

-- Backfill: every existing server and tool.
SELECT search_index_servers(ARRAY(SELECT id FROM servers));
SELECT search_index_tools(ARRAY(SELECT id FROM tools), ARRAY[]::uuid[]);

-- The search's one statement: every arm capped and index-driven, the visibility filter in
-- each arm's WHERE, and per candidate what src/search/rank.ts fuses. plpgsql keeps the
-- plan (a generic one: planning the five arms cost more than running them); notices about
-- stop-word-only queries are not wanted.
--   all_q: the query's words AND-ed; any_q: OR-ed; syn_q: the expansions (not the words) OR-ed;
--   words[i] / syn_words[i]: query word i, and its expansions OR-ed ('' for none);
--   name_q: the words joined by spaces, for the name arms (use_trgm: the trigram arm runs);
--   exact_paths null: every server visible; otherwise these paths and prefix_paths (LIKE patterns);
--   tag_filter: servers carrying all of these tags (null: any). Parameter names must not be column names.
CREATE FUNCTION search_candidates(
  all_q text, any_q text, syn_q text, words text[], syn_words text[], name_q text, use_trgm boolean,
  kinds text[], include_disabled boolean, exact_paths text[], prefix_paths text[], tag_filter text[], cap int)
RETURNS TABLE (kind text, ref_id uuid, server_id uuid, name text, content text,
               arms text[], ranks int[], scores real[], cov int, scov int, fz int, nwords int)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET client_min_messages = warning
-- One typo in a short name (wether/weather) is a word similarity of 0.5; the default 0.6 misses it.
SET pg_trgm.word_similarity_threshold = 0.5
AS $$
#variable_conflict use_column
DECLARE
  qa tsquery := to_tsquery('english', all_q);
  qo tsquery := to_tsquery('english', any_q);
  qs tsquery := to_tsquery('english', syn_q);
  wq tsquery[] := ARRAY(SELECT to_tsquery('english', w) FROM unnest(words) WITH ORDINALITY u(w, i) ORDER BY i);
  sq tsquery[] := ARRAY(SELECT to_tsquery('english', w) FROM unnest(syn_words) WITH ORDINALITY u(w, i) ORDER BY i);
  prefix text := replace(replace(replace(name_q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
BEGIN
  RETURN QUERY
  WITH c AS (
    (SELECT 'all'::text AS arm, d.kind, d.ref_id, ts_rank_cd(d.tsv, qa, 32) AS r
     FROM search_documents d
     WHERE numnode(qa) > 0 AND d.tsv @@ qa AND d.kind = ANY(kinds) AND (include_disabled OR d.enabled)
       AND (exact_paths IS NULL OR d.path = ANY(exact_paths) OR d.path LIKE ANY(prefix_paths))
       AND (tag_filter IS NULL OR EXISTS (SELECT 1 FROM servers s WHERE s.id = d.server_id AND s.tags @> tag_filter))
     ORDER BY r DESC LIMIT cap)
    UNION ALL
    (SELECT 'any', d.kind, d.ref_id, ts_rank(d.tsv, qo) AS r
     FROM search_documents d
     WHERE numnode(qo) > 0 AND d.tsv @@ qo AND d.kind = ANY(kinds) AND (include_disabled OR d.enabled)
       AND (exact_paths IS NULL OR d.path = ANY(exact_paths) OR d.path LIKE ANY(prefix_paths))
       AND (tag_filter IS NULL OR EXISTS (SELECT 1 FROM servers s WHERE s.id = d.server_id AND s.tags @> tag_filter))
     ORDER BY r DESC LIMIT cap)
    UNION ALL
    (SELECT 'syn', d.kind, d.ref_id, ts_rank(d.tsv, qs) AS r
     FROM search_documents d
     WHERE numnode(qs) > 0 AND d.tsv @@ qs AND d.kind = ANY(kinds) AND (include_disabled OR d.enabled)
       AND (exact_paths IS NULL OR d.path = ANY(exact_paths) OR d.path LIKE ANY(prefix_paths))
       AND (tag_filter IS NULL OR EXISTS (SELECT 1 FROM servers s WHERE s.id = d.server_id AND s.tags @> tag_filter))
     ORDER BY r DESC LIMIT cap)
    UNION ALL
    -- Close spellings of names: each query word of four letters or more, and the whole query, one index scan each.
    (SELECT 'trgm', t.kind, t.ref_id, max(t.r)::real AS r
     FROM unnest(CASE WHEN use_trgm THEN array_append(ARRAY(SELECT w FROM unnest(words) w WHERE length(w) >= 4), name_q) ELSE ARRAY[]::text[] END) q(w)
     CROSS JOIN LATERAL (
       SELECT d.kind, d.ref_id, word_similarity(q.w, d.name_words) AS r
       FROM search_documents d
       WHERE q.w <% d.name_words AND d.kind = ANY(kinds) AND (include_disabled OR d.enabled)
         AND (exact_paths IS NULL OR d.path = ANY(exact_paths) OR d.path LIKE ANY(prefix_paths))
         AND (tag_filter IS NULL OR EXISTS (SELECT 1 FROM servers s WHERE s.id = d.server_id AND s.tags @> tag_filter))
       ORDER BY r DESC LIMIT cap) t
     GROUP BY t.kind, t.ref_id
     ORDER BY r DESC LIMIT cap)
    UNION ALL
    (SELECT 'name', d.kind, d.ref_id, CASE WHEN d.name_words = name_q THEN 1 ELSE 0.9 END::real AS r
     FROM search_documents d
     WHERE name_q <> '' AND (d.name_words = name_q OR d.name_words LIKE prefix) AND d.kind = ANY(kinds) AND (include_disabled OR d.enabled)
       AND (exact_paths IS NULL OR d.path = ANY(exact_paths) OR d.path LIKE ANY(prefix_paths))
       AND (tag_filter IS NULL OR EXISTS (SELECT 1 FROM servers s WHERE s.id = d.server_id AND s.tags @> tag_filter))
     ORDER BY r DESC, d.name_words LIMIT cap)
  ), ranked AS (
    SELECT c.*, row_number() OVER (PARTITION BY c.arm ORDER BY c.r DESC)::int AS rn FROM c
  )
  SELECT d.kind, d.ref_id, d.server_id, d.name, d.content,
         array_agg(x.arm ORDER BY x.arm), array_agg(x.rn ORDER BY x.arm), array_agg(x.r ORDER BY x.arm),
         (SELECT count(*)::int FROM unnest(wq) w WHERE numnode(w) > 0 AND d.tsv @@ w),
         (SELECT count(*)::int FROM generate_subscripts(wq, 1) i
           WHERE numnode(wq[i]) > 0 AND NOT d.tsv @@ wq[i] AND numnode(sq[i]) > 0 AND d.tsv @@ sq[i]),
         -- Query words the document lacks but its name spells closely (a typo).
         (SELECT count(*)::int FROM generate_subscripts(wq, 1) i
           WHERE numnode(wq[i]) > 0 AND NOT d.tsv @@ wq[i] AND length(words[i]) >= 4 AND words[i] <% d.name_words),
         (SELECT count(*)::int FROM unnest(wq) w WHERE numnode(w) > 0)
  FROM ranked x JOIN search_documents d ON d.kind = x.kind AND d.ref_id = x.ref_id
  GROUP BY d.kind, d.ref_id;
END $$;
