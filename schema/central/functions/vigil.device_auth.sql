CREATE OR REPLACE FUNCTION vigil.device_auth(p_token text)
 RETURNS vigil.devices
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE d vigil.devices;
  BEGIN
    IF p_token IS NULL OR length(p_token) NOT BETWEEN 32 AND 256 THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'unknown';
    END IF;
    SELECT * INTO d FROM vigil.devices WHERE token_hash = sha256(convert_to(p_token, 'UTF8'));
    IF NOT FOUND THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'unknown';
    ELSIF d.revoked_at IS NOT NULL THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'revoked';
    ELSIF d.expires_at <= now() THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'expired';
    END IF;
    RETURN d;
  END $function$
