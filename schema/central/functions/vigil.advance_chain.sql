CREATE OR REPLACE FUNCTION vigil.advance_chain(p_session uuid)
 RETURNS vigil.sessions
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE s vigil.sessions; v_rows integer; v_bad_rn integer; v_bad_linked boolean; v_seq integer;
    v_head bytea; v_max integer;
  BEGIN
    SELECT * INTO s FROM vigil.sessions WHERE id = p_session FOR UPDATE;
    -- Set-based walk: row rn continues the chain when its seq is chain_seq + rn, its prev_hash is the
    -- previous row's hash (the head for rn = 1) and its own hash is valid. The head moves to the row
    -- before the first one that does not.
    WITH e AS (
      SELECT ev.seq, ev.prev_hash, ev.hash, ev.hash_valid,
             row_number() OVER w AS rn, lag(ev.hash) OVER w AS lag_hash
      FROM vigil.events ev WHERE ev.session_id = p_session AND ev.seq > s.chain_seq
      WINDOW w AS (ORDER BY ev.seq)
    ), bad AS (
      SELECT e.rn, e.seq = s.chain_seq + e.rn AS linked_seq FROM e
      WHERE e.seq <> s.chain_seq + e.rn OR e.prev_hash <> coalesce(e.lag_hash, s.chain_head) OR NOT e.hash_valid
      ORDER BY e.rn LIMIT 1
    )
    SELECT (SELECT count(*) FROM e), (SELECT b.rn FROM bad b), (SELECT b.linked_seq FROM bad b),
           (SELECT max(e.seq) FROM e)
    INTO v_rows, v_bad_rn, v_bad_linked, v_max;
    v_seq := s.chain_seq + coalesce(v_bad_rn - 1, v_rows);
    IF v_seq > s.chain_seq THEN
      SELECT ev.hash INTO v_head FROM vigil.events ev WHERE ev.session_id = p_session AND ev.seq = v_seq;
    ELSE
      v_head := s.chain_head;
    END IF;
    IF v_bad_rn IS NOT NULL AND v_bad_linked THEN
      -- The next event is there but does not link (or its own hash is wrong): altered.
      PERFORM vigil.flag_chain(p_session, 'altered', jsonb_build_object('seq', v_seq + 1,
        'problem', 'the event does not continue the chain'));
    END IF;
    v_max := greatest(coalesce(v_max, 0), s.chain_seq);
    UPDATE vigil.sessions SET chain_seq = v_seq, chain_head = v_head, max_seq = v_max,
      evidence_verdict = CASE WHEN evidence_verdict IN ('altered', 'gap') THEN evidence_verdict
                              WHEN v_max > v_seq THEN 'incomplete' ELSE 'intact' END
    WHERE id = p_session RETURNING * INTO s;
    RETURN s;
  END $function$
