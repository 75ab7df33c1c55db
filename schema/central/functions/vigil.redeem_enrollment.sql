CREATE OR REPLACE FUNCTION vigil.redeem_enrollment(p_code text, p_label text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE e vigil.enrollments; v_token text; v_device uuid; v_expires timestamptz; v_closes timestamptz;
  BEGIN
    SELECT * INTO e FROM vigil.enrollments
    WHERE code_hash = sha256(convert_to(upper(coalesce(p_code, '')), 'UTF8')) FOR UPDATE;
    IF NOT FOUND OR e.redeemed_at IS NOT NULL OR e.expires_at <= now() THEN
      RAISE EXCEPTION 'enrollment code refused' USING ERRCODE = '28000',
        DETAIL = CASE WHEN NOT FOUND THEN 'unknown' WHEN e.redeemed_at IS NOT NULL THEN 'used' ELSE 'expired' END;
    END IF;
    SELECT x.window_closes_at INTO v_closes
    FROM vigil.exams x WHERE x.id = e.exam_id;
    IF v_closes <= now() THEN
      RAISE EXCEPTION 'enrollment code refused: the exam''s window has closed' USING ERRCODE = '28000',
        DETAIL = 'window_closed',
        HINT = format('The window closed at %s; no device can enroll for it now.',
          to_char(v_closes AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'));
    END IF;
    -- 244 random bits from the server's strong random source; only its hash is stored.
    v_token := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
    v_expires := now() + interval '30 days';
    INSERT INTO vigil.devices(candidate_id, exam_id, enrollment_id, label, token_hash, expires_at)
    VALUES (e.candidate_id, e.exam_id, e.id, left(coalesce(p_label, ''), 200),
            sha256(convert_to(v_token, 'UTF8')), v_expires)
    RETURNING id INTO v_device;
    UPDATE vigil.enrollments SET redeemed_at = now(), device_id = v_device WHERE id = e.id;
    INSERT INTO vigil.audit_log(device_id, action, target_table, target_id, details)
    VALUES (v_device, 'redeem_enrollment', 'enrollments', e.id::text, jsonb_build_object('label', p_label));
    RETURN jsonb_build_object('deviceId', v_device, 'token', v_token, 'candidateId', e.candidate_id,
                              'examId', e.exam_id, 'expiresAt', v_expires);
  END $function$
