CREATE OR REPLACE FUNCTION vigil.refuse_device_evaluation()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    IF NOT pg_has_role(session_user, 'vigil_device', 'MEMBER') THEN RETURN NEW; END IF;
    IF vigil.exam_evaluation(NEW.session_id) IS DISTINCT FROM 'device' THEN
      RAISE EXCEPTION 'session % is evaluated by the server; its device may not write an evaluation',
        NEW.session_id USING ERRCODE = 'check_violation';
    END IF;
    NEW.label := 'Evaluated on the candidate’s device (practice exam): advisory, never a server evaluation.';
    RETURN NEW;
  END $function$
