CREATE OR REPLACE FUNCTION vigil.device_session(d vigil.devices, p_session uuid)
 RETURNS vigil.sessions
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE s vigil.sessions;
  BEGIN
    SELECT * INTO s FROM vigil.sessions WHERE id = p_session;
    IF NOT FOUND OR s.device_id IS DISTINCT FROM d.id THEN
      RAISE EXCEPTION 'session % is not open on this device', p_session USING ERRCODE = 'VG403';
    END IF;
    RETURN s;
  END $function$
