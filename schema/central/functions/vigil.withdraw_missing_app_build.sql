CREATE OR REPLACE FUNCTION vigil.withdraw_missing_app_build()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    BEGIN
      DELETE FROM vigil.warnings w
       WHERE w.session_id = NEW.session_id AND w.type = 'unknown_app_build' AND w.source = 'server'
         AND w.details->>'reason' = 'no app build reported';
      RETURN NULL;
    END $function$
