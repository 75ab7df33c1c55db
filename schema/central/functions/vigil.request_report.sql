CREATE OR REPLACE FUNCTION vigil.request_report()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE v_session uuid;
  BEGIN
    IF TG_TABLE_NAME = 'reviews' THEN
      SELECT w.session_id INTO v_session FROM vigil.warnings w WHERE w.id = NEW.warning_id;
    ELSE
      v_session := NEW.session_id;
    END IF;
    IF v_session IS NULL THEN RETURN NULL; END IF;
    INSERT INTO vigil.worker_requests(session_id, kind) VALUES (v_session, 'report') ON CONFLICT DO NOTHING;
    PERFORM pg_notify('vigil_worker', v_session::text);
    RETURN NULL;
  END $function$
