CREATE OR REPLACE FUNCTION vigil.ingest_event(d vigil.devices, p jsonb)
 RETURNS uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE
    v_body text := p->>'body';
    v jsonb; v_sid uuid; v_seq integer; v_prev bytea; v_hash bytea; v_valid boolean;
    existing vigil.events;
  BEGIN
    IF v_body IS NULL OR length(v_body) > 1000000 THEN
      RAISE EXCEPTION 'event body missing or larger than 1 MB' USING ERRCODE = 'VG400';
    END IF;
    v := v_body::jsonb;
    v_sid := (v->>'sessionId')::uuid;
    v_seq := (v->>'seq')::integer;
    IF v_sid IS NULL OR v_seq IS NULL OR v_seq < 1 OR v->>'kind' IS NULL OR v->>'at' IS NULL THEN
      RAISE EXCEPTION 'event body lacks sessionId, seq, kind or at' USING ERRCODE = 'VG400';
    END IF;
    PERFORM vigil.device_session(d, v_sid);
    v_prev := decode(p->>'prevHash', 'hex');
    v_hash := decode(p->>'hash', 'hex');
    IF v_prev IS NULL OR v_hash IS NULL OR length(v_prev) <> 32 OR length(v_hash) <> 32 THEN
      RAISE EXCEPTION 'event hashes must be 32-byte hex' USING ERRCODE = 'VG400';
    END IF;
    v_valid := sha256(v_prev || convert_to(v_body, 'UTF8')) = v_hash;
    INSERT INTO vigil.events(session_id, seq, kind, occurred_at, body, payload, prev_hash, hash, hash_valid)
    VALUES (v_sid, v_seq, v->>'kind', (v->>'at')::timestamptz, v_body, coalesce(v->'data', '{}'),
            v_prev, v_hash, v_valid)
    ON CONFLICT (session_id, seq) DO NOTHING;
    IF NOT FOUND THEN
      SELECT * INTO existing FROM vigil.events WHERE session_id = v_sid AND seq = v_seq;
      IF existing.hash <> v_hash OR existing.body <> v_body THEN
        PERFORM vigil.flag_chain(v_sid, 'altered', jsonb_build_object('seq', v_seq,
          'problem', 'a different event was sent for a sequence number already stored'));
      END IF;
    ELSIF NOT v_valid THEN
      PERFORM vigil.flag_chain(v_sid, 'altered', jsonb_build_object('seq', v_seq,
        'problem', 'the hash does not match the event'));
    END IF;
    RETURN v_sid;
  END $function$
