CREATE OR REPLACE FUNCTION vigil.flag_chain(p_session uuid, p_verdict text, p_details jsonb)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    UPDATE vigil.sessions SET evidence_verdict = CASE
      WHEN evidence_verdict = 'altered' OR p_verdict = 'altered' THEN 'altered' ELSE p_verdict END
    WHERE id = p_session;
    INSERT INTO vigil.warnings(id, session_id, type, severity, started_at, details, source)
    SELECT gen_random_uuid(), p_session, 'evidence_chain', 'high', now(),
           p_details || jsonb_build_object('verdict', p_verdict), 'server'
    WHERE NOT EXISTS (SELECT 1 FROM vigil.warnings w WHERE w.session_id = p_session
                      AND w.type = 'evidence_chain' AND w.details->>'verdict' = p_verdict
                      AND w.source = 'server');
  END $function$
