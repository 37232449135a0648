-- A batch of events chained in one statement: the head's row lock, every row's id and hash
-- (the same digest as audit_append and src/audit/chain.ts), the insert and the head's
-- update, in one call. On the embedded database every statement of an interactive
-- transaction is a pause of the Node thread of its own; this is one.
CREATE FUNCTION audit_append_batch(
  p_payload text[], p_at timestamptz[], p_actor text[], p_actor_name text[], p_auth_method text[], p_action text[],
  p_server_path text[], p_tool text[], p_outcome text[], p_latency_ms integer[], p_session text[], p_token_hint varchar(6)[],
  p_details jsonb[]
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_seq bigint;
  v_hash text;
  v_ids bigint[] := '{}';
  v_prev text[] := '{}';
  v_hashes text[] := '{}';
  v_payload text;
BEGIN
  SELECT seq, hash INTO v_seq, v_hash FROM audit_head WHERE id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the audit chain''s head row is missing';
  END IF;
  IF coalesce(array_length(p_payload, 1), 0) = 0 THEN
    RETURN v_seq;
  END IF;
  FOREACH v_payload IN ARRAY p_payload LOOP
    v_seq := v_seq + 1;
    v_ids := v_ids || v_seq;
    v_prev := v_prev || v_hash;
    v_hash := encode(sha256(convert_to(v_seq::text || '|' || v_hash || '|' || v_payload, 'UTF8')), 'hex');
    v_hashes := v_hashes || v_hash;
  END LOOP;
  INSERT INTO audit_events (id, at, actor, actor_name, auth_method, action, server_path, tool, outcome, latency_ms, session, token_hint, details, prev_hash, hash)
  SELECT * FROM unnest(v_ids, p_at, p_actor, p_actor_name, p_auth_method, p_action, p_server_path, p_tool, p_outcome, p_latency_ms, p_session, p_token_hint, p_details, v_prev, v_hashes);
  UPDATE audit_head SET seq = v_seq, prev_hash = v_prev[array_upper(v_prev, 1)], hash = v_hash WHERE id = 1;
  RETURN v_seq;
END
$$;
