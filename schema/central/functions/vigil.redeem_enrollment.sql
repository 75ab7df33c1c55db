CREATE OR REPLACE FUNCTION vigil.redeem_enrollment(p_code text, p_label text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE
    e vigil.enrollments; r vigil.enrollments; found_code boolean := false;
    v_norm text := upper(regexp_replace(coalesce(p_code, ''), '[^0-9A-Za-z]', '', 'g'));
    v_client text := coalesce(host(inet_client_addr()), 'local');
    v_limit integer;
    v_pepper bytea := (SELECT pepper FROM vigil.enrollment_pepper);
    s vigil.central_settings;
    v_failures integer; v_wrong integer; v_outcome text;
    v_token text; v_device uuid; v_expires timestamptz;
    refused CONSTANT jsonb := jsonb_build_object('refused', true, 'reason', 'refused');
  BEGIN
    SELECT * INTO s FROM vigil.central_settings;
    SELECT count(*) INTO v_failures FROM vigil.enrollment_attempts
    WHERE client = v_client AND at > now() - s.enroll_failure_window;
    -- 0505: behind a connection pooler every device has the pooler's address; they share its larger
    -- allowance instead of exhausting one meant for a single machine.
    v_limit := CASE WHEN inet_client_addr() <<= ANY (s.enroll_pooler_addresses)
                    THEN s.enroll_max_failures_per_pooler ELSE s.enroll_max_failures_per_client END;
    IF v_failures >= v_limit THEN
      RETURN jsonb_build_object('refused', true, 'reason', 'throttled',
        'retryAfterSeconds', ceil(extract(epoch FROM s.enroll_failure_window))::int);
    END IF;
    -- Salted codes: the lookup finds the candidates, the salted hash decides.
    FOR r IN SELECT * FROM vigil.enrollments
             WHERE code_lookup = left(v_norm, 4) AND code_salt IS NOT NULL FOR UPDATE LOOP
      IF r.code_hash = sha256(v_pepper || r.code_salt || convert_to(v_norm, 'UTF8')) THEN
        e := r; found_code := true;
      END IF;
    END LOOP;
    IF NOT found_code THEN
      -- Codes issued before 0500: plain sha256 of the code.
      SELECT * INTO e FROM vigil.enrollments
      WHERE code_salt IS NULL AND code_hash = sha256(convert_to(upper(coalesce(p_code, '')), 'UTF8'))
      FOR UPDATE;
      found_code := FOUND;
    END IF;
    IF NOT found_code THEN
      -- A wrong secret for an open code's lookup counts against that code.
      UPDATE vigil.enrollments
      SET failed_attempts = failed_attempts + 1,
          locked_at = CASE WHEN failed_attempts + 1 >= s.enroll_max_failures_per_code
                           THEN coalesce(locked_at, now()) ELSE locked_at END
      WHERE code_lookup = left(v_norm, 4) AND code_salt IS NOT NULL
        AND redeemed_at IS NULL AND expires_at > now();
      GET DIAGNOSTICS v_wrong = ROW_COUNT;
      INSERT INTO vigil.enrollment_attempts(client, outcome, label)
      VALUES (v_client, CASE WHEN v_wrong > 0 THEN 'wrong' ELSE 'unknown' END, left(coalesce(p_label, ''), 200));
      DELETE FROM vigil.enrollment_attempts WHERE client = v_client AND at < now() - interval '1 day';
      RETURN refused;
    END IF;
    v_outcome := CASE WHEN e.redeemed_at IS NOT NULL THEN 'used'
                      WHEN e.expires_at <= now() THEN 'expired'
                      WHEN e.locked_at IS NOT NULL THEN 'locked'
                      -- 0455: a closed exam's code enrolls nothing.
                      WHEN (SELECT x.closes_at <= now() FROM vigil.exams x WHERE x.id = e.exam_id)
                        THEN 'window_closed' END;
    IF v_outcome IS NOT NULL THEN
      INSERT INTO vigil.enrollment_attempts(client, outcome, enrollment_id, label)
      VALUES (v_client, v_outcome, e.id, left(coalesce(p_label, ''), 200));
      RETURN refused;
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
