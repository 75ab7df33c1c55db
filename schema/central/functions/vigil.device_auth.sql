CREATE OR REPLACE FUNCTION vigil.device_auth(p_token text)
 RETURNS vigil.devices
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE
    d vigil.devices;
    v_closes timestamptz;
    v_grace integer;
  BEGIN
    IF p_token IS NULL OR length(p_token) NOT BETWEEN 32 AND 256 THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'unknown';
    END IF;
    SELECT * INTO d FROM vigil.devices WHERE token_hash = sha256(convert_to(p_token, 'UTF8'));
    IF NOT FOUND THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'unknown';
    ELSIF d.revoked_at IS NOT NULL THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'revoked';
    END IF;
    SELECT e.closes_at, e.late_upload_grace_hours INTO v_closes, v_grace
    FROM vigil.exams e WHERE e.id = d.exam_id;
    IF d.window_closed_at IS NOT NULL
       OR v_closes + make_interval(hours => v_grace) <= now() THEN
      RAISE EXCEPTION 'device token refused: the exam''s window has closed' USING ERRCODE = '28000',
        DETAIL = 'window_closed',
        HINT = format('The window closed at %s; late uploads were taken until %s.',
          to_char(v_closes AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'),
          to_char((v_closes + make_interval(hours => v_grace)) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'));
    ELSIF d.expires_at <= now() THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'expired';
    END IF;
    RETURN d;
  END $function$
