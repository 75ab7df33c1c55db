CREATE OR REPLACE FUNCTION vigil.request_evaluation_on_transcript()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    IF EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.id = NEW.session_id AND s.status <> 'in_progress')
       AND NOT EXISTS (SELECT 1 FROM vigil.server_evaluations e WHERE e.session_id = NEW.session_id) THEN
      INSERT INTO vigil.worker_requests(session_id, kind) VALUES (NEW.session_id, 'evaluate')
      ON CONFLICT DO NOTHING;
      PERFORM pg_notify('vigil_worker', NEW.session_id::text);
    END IF;
    RETURN NULL;
  END $function$
