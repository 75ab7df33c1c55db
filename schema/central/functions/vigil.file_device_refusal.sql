CREATE OR REPLACE FUNCTION vigil.file_device_refusal()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE v_session uuid;
  BEGIN
    v_session := substring(NEW.reason FROM
      '^session ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) (?:is finished|has a proctor decision|is evaluated by the server)')::uuid;
    IF v_session IS NOT NULL AND EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.id = v_session) THEN
      INSERT INTO vigil.device_refusals(session_id, device_id, idempotency_key, kind, reason)
      VALUES (v_session, NEW.device_id, NEW.idempotency_key, NEW.kind, NEW.reason);
    END IF;
    RETURN NULL;
  END $function$
