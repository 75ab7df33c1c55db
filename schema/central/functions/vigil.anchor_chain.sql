CREATE OR REPLACE FUNCTION vigil.anchor_chain(p_token text, p_heads jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE
    d vigil.devices := vigil.device_auth(p_token);
    h jsonb;
    s vigil.sessions;
    v_seq integer;
    v_hash bytea;
    v_stored bytea;
    v_count integer := 0;
  BEGIN
    IF p_heads IS NULL OR jsonb_typeof(p_heads) <> 'array' OR jsonb_array_length(p_heads) > 200 THEN
      RAISE EXCEPTION 'heads must be an array of at most 200' USING ERRCODE = 'VG400';
    END IF;
    FOR h IN SELECT value FROM jsonb_array_elements(p_heads) LOOP
      IF jsonb_typeof(h->'seq') IS DISTINCT FROM 'number' OR coalesce(h->>'hash', '') !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'a head needs a sessionId, a seq and a 32-byte hex hash' USING ERRCODE = 'VG400';
      END IF;
      v_seq := (h->>'seq')::integer;
      v_hash := decode(h->>'hash', 'hex');
      IF v_seq < 0 THEN
        RAISE EXCEPTION 'a head needs a sessionId, a seq and a 32-byte hex hash' USING ERRCODE = 'VG400';
      END IF;
      -- A session the server does not hold yet (its start is still queued) is skipped, not an error.
      BEGIN
        s := vigil.device_session(d, (h->>'sessionId')::uuid);
      EXCEPTION WHEN SQLSTATE 'VG403' OR invalid_text_representation THEN
        CONTINUE;
      END;
      IF EXISTS (SELECT 1 FROM vigil.chain_anchors a WHERE a.session_id = s.id
                 AND ((a.seq = v_seq AND a.hash <> v_hash) OR a.seq > v_seq)) THEN
        PERFORM vigil.flag_chain(s.id, 'altered', jsonb_build_object('seq', v_seq,
          'problem', 'the chain was rewritten behind a head the server had seen'));
      END IF;
      SELECT e.hash INTO v_stored FROM vigil.events e WHERE e.session_id = s.id AND e.seq = v_seq;
      IF v_stored IS NOT NULL AND v_stored <> v_hash THEN
        PERFORM vigil.flag_chain(s.id, 'altered', jsonb_build_object('seq', v_seq,
          'problem', 'the reported head does not match the stored chain'));
      END IF;
      INSERT INTO vigil.chain_anchors(session_id, seq, hash) VALUES (s.id, v_seq, v_hash);
      v_count := v_count + 1;
    END LOOP;
    RETURN jsonb_build_object('anchored', v_count, 'at', clock_timestamp());
  END $function$
