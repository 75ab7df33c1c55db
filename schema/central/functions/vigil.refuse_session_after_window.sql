CREATE OR REPLACE FUNCTION vigil.refuse_session_after_window()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE v_closes timestamptz;
  BEGIN
    IF NOT pg_has_role(session_user, 'vigil_device', 'MEMBER') THEN RETURN NEW; END IF;
    SELECT e.closes_at INTO v_closes FROM vigil.exams e WHERE e.id = NEW.exam_id;
    IF v_closes IS NOT NULL AND NEW.started_at > v_closes THEN
      RAISE EXCEPTION 'the exam''s window has closed (at %): session % started after it', v_closes, NEW.id
        USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $function$
