CREATE OR REPLACE FUNCTION vigil.release_exam_key(p_token text, p_exam uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE d vigil.devices := vigil.device_auth(p_token); e vigil.exams; k bytea;
  BEGIN
    IF d.exam_id IS DISTINCT FROM p_exam THEN
      RAISE EXCEPTION 'this device is not enrolled for exam %', p_exam USING ERRCODE = 'VG403',
        DETAIL = 'not_enrolled';
    END IF;
    SELECT * INTO e FROM vigil.exams WHERE id = p_exam;
    IF e.opens_at IS NOT NULL AND now() < e.opens_at THEN
      RAISE EXCEPTION 'the exam opens at %', e.opens_at USING ERRCODE = 'VG403',
        DETAIL = 'not_open ' || to_char(e.opens_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    END IF;
    IF e.closes_at IS NOT NULL AND now() >= e.closes_at THEN
      RAISE EXCEPTION 'the exam closed at %', e.closes_at USING ERRCODE = 'VG403',
        DETAIL = 'closed ' || to_char(e.closes_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    END IF;
    SELECT content_key INTO k FROM vigil.exam_keys WHERE exam_id = p_exam;
    RETURN jsonb_build_object('key', encode(k, 'base64'), 'serverTime', now());
  END $function$
