CREATE OR REPLACE FUNCTION vigil.request_risk_on_warning()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    IF EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.id = NEW.session_id AND s.status <> 'in_progress') THEN
      INSERT INTO vigil.worker_requests(session_id, kind) VALUES (NEW.session_id, 'risk')
      ON CONFLICT DO NOTHING;
      PERFORM pg_notify('vigil_worker', NEW.session_id::text);
    END IF;
    RETURN NULL;
  END $function$
