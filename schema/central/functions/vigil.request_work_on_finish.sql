CREATE OR REPLACE FUNCTION vigil.request_work_on_finish()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    INSERT INTO vigil.worker_requests(session_id, kind)
    VALUES (NEW.id, 'evaluate'), (NEW.id, 'risk') ON CONFLICT DO NOTHING;
    PERFORM pg_notify('vigil_worker', NEW.id::text);
    RETURN NULL;
  END $function$
