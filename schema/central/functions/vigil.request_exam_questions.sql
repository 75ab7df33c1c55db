CREATE OR REPLACE FUNCTION vigil.request_exam_questions()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE v_basis jsonb := vigil.question_basis(NEW);
  BEGIN
    IF (v_basis->>'count')::int > 0 AND NOT EXISTS (
         SELECT 1 FROM vigil.exam_generated_questions g WHERE g.exam_id = NEW.id AND g.basis = v_basis) THEN
      INSERT INTO vigil.worker_requests(exam_id, kind) VALUES (NEW.id, 'questions') ON CONFLICT DO NOTHING;
      PERFORM pg_notify('vigil_worker', NEW.id::text);
    END IF;
    RETURN NULL;
  END $function$
