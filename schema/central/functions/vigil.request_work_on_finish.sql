CREATE OR REPLACE FUNCTION vigil.request_work_on_finish()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    INSERT INTO vigil.worker_requests(session_id, kind)
    SELECT NEW.id, k FROM unnest(CASE WHEN vigil.exam_evaluation(NEW.id) = 'device'
                                      THEN ARRAY['risk'] ELSE ARRAY['evaluate', 'risk'] END) k
    ON CONFLICT DO NOTHING;
    PERFORM pg_notify('vigil_worker', NEW.id::text);
    RETURN NULL;
  END $function$
