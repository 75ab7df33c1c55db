CREATE OR REPLACE FUNCTION vigil.check_exam_accommodations()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    DECLARE missing text;
    BEGIN
      SELECT en.accommodation INTO missing FROM vigil.enrollments en
      WHERE en.exam_id = NEW.id AND en.accommodation IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(NEW.accommodation_profiles) p
                        WHERE p->>'name' = en.accommodation)
      LIMIT 1;
      IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'accommodation profile "%" is still given to enrolled candidates', missing
          USING ERRCODE = '23514';
      END IF;
      RETURN NEW;
    END $function$
