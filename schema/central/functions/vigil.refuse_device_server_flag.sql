CREATE OR REPLACE FUNCTION vigil.refuse_device_server_flag()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    IF NEW.source = 'device' AND NEW.type = ANY (ARRAY['evidence_chain', 'unknown_app_build', 'policy_mismatch']) THEN
      RAISE EXCEPTION 'warning type % is raised by the server only; a device cannot file it', NEW.type
        USING ERRCODE = 'VG403';
    END IF;
    RETURN NEW;
  END $function$
