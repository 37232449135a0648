-- The audit log's two writes as functions: PL/pgSQL keeps each statement's plan for the
-- session, where the same statements sent as text are planned on every call (on the
-- embedded database, several milliseconds of the thread's time per write).

-- One event, chained under the head's row lock (the statement src/audit/log.ts sent before).
CREATE FUNCTION audit_append(
  p_payload text, p_at timestamptz, p_actor text, p_actor_name text, p_auth_method text, p_action text,
  p_server_path text, p_tool text, p_outcome text, p_latency_ms integer, p_session text, p_token_hint varchar(6),
  p_details jsonb
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH head AS (
    UPDATE audit_head
       SET seq = seq + 1,
           prev_hash = hash,
           hash = encode(sha256(convert_to((seq + 1)::text || '|' || hash || '|' || p_payload, 'UTF8')), 'hex')
     WHERE id = 1
    RETURNING seq, hash, prev_hash
  )
  INSERT INTO audit_events (id, at, actor, actor_name, auth_method, action, server_path, tool, outcome, latency_ms, session, token_hint, details, prev_hash, hash)
  SELECT seq, p_at, p_actor, p_actor_name, p_auth_method, p_action, p_server_path, p_tool, p_outcome, p_latency_ms, p_session, p_token_hint, p_details, prev_hash, hash
    FROM head;
END
$$;

-- Rows chained by the caller (ids and hashes computed under the head's lock, which it holds).
CREATE FUNCTION audit_append_rows(
  p_id bigint[], p_at timestamptz[], p_actor text[], p_actor_name text[], p_auth_method text[], p_action text[],
  p_server_path text[], p_tool text[], p_outcome text[], p_latency_ms integer[], p_session text[], p_token_hint varchar(6)[],
  p_details jsonb[], p_prev_hash text[], p_hash text[]
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_events (id, at, actor, actor_name, auth_method, action, server_path, tool, outcome, latency_ms, session, token_hint, details, prev_hash, hash)
  SELECT * FROM unnest(p_id, p_at, p_actor, p_actor_name, p_auth_method, p_action, p_server_path, p_tool, p_outcome, p_latency_ms, p_session, p_token_hint, p_details, p_prev_hash, p_hash);
END
$$;
