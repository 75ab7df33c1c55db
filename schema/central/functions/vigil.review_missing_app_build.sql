CREATE OR REPLACE FUNCTION vigil.review_missing_app_build()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    BEGIN
      IF EXISTS (SELECT 1 FROM vigil.events e WHERE e.session_id = NEW.session_id AND e.kind = 'app_build') THEN
        RETURN NULL;
      END IF;
      IF coalesce(NEW.payload->>'status', '') NOT IN ('completed', 'terminated') AND NOT EXISTS
           (SELECT 1 FROM vigil.events e WHERE e.session_id = NEW.session_id AND e.kind = 'interview_started') THEN
        RETURN NULL;
      END IF;
      INSERT INTO vigil.warnings(id, session_id, type, severity, started_at, ended_at, confidence, details, source)
      VALUES (gen_random_uuid(), NEW.session_id, 'unknown_app_build', 'high', NEW.occurred_at, NEW.occurred_at, 1,
              jsonb_build_object('reason', 'no app build reported', 'seq', NEW.seq, 'detector', 'server'),
              'server')
      ON CONFLICT (session_id, (coalesce(details->>'appVersion', '')), (coalesce(details->>'buildHash', '')))
        WHERE type = 'unknown_app_build' AND source = 'server'
        DO NOTHING;
      RETURN NULL;
    END $function$
