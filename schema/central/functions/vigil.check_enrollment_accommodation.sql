CREATE OR REPLACE FUNCTION vigil.check_enrollment_accommodation()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    DECLARE known jsonb;
    BEGIN
      IF NEW.accommodation IS NULL THEN RETURN NEW; END IF;
      SELECT e.accommodation_profiles INTO known FROM vigil.exams e WHERE e.id = NEW.exam_id;
      IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(known, '[]')) p
                     WHERE p->>'name' = NEW.accommodation) THEN
        RAISE EXCEPTION 'accommodation profile "%" is not one of the exam''s profiles', NEW.accommodation
          USING ERRCODE = '23514', DETAIL = coalesce((SELECT string_agg(p->>'name', ', ')
                                                       FROM jsonb_array_elements(known) p), '');
      END IF;
      RETURN NEW;
    END $function$
