CREATE OR REPLACE FUNCTION vigil.reopen_exam_devices()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    IF NEW.closes_at IS NULL
       OR NEW.closes_at + make_interval(hours => NEW.late_upload_grace_hours) > now() THEN
      UPDATE vigil.devices SET window_closed_at = NULL
      WHERE exam_id = NEW.id AND window_closed_at IS NOT NULL;
    END IF;
    RETURN NULL;
  END $function$
