CREATE OR REPLACE FUNCTION vigil.blob_quota(p_exam uuid, p_enrollment uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE e vigil.exams; acc jsonb; q jsonb; v_len numeric; v_margin numeric; v_rate numeric;
    v_session_bytes bigint; v_session_blobs bigint;
  BEGIN
    SELECT * INTO e FROM vigil.exams WHERE id = p_exam;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'exam % does not exist', p_exam USING ERRCODE = 'VG400';
    END IF;
    -- The candidate's accommodation profile, else the exam's own (as fetch_exam hands it out).
    SELECT p INTO acc FROM vigil.enrollments en, jsonb_array_elements(e.accommodation_profiles) p
      WHERE en.id = p_enrollment AND en.accommodation IS NOT NULL AND p->>'name' = en.accommodation LIMIT 1;
    acc := coalesce(acc, CASE WHEN jsonb_typeof(e.policy->'accommodation') = 'object'
                              THEN e.policy->'accommodation' END, '{}'::jsonb);
    SELECT coalesce(sum(ceil(coalesce((x->>'time_limit_s')::numeric, 0)
                             * (100 + coalesce((acc->>'extraTimePercent')::numeric, 0)) / 100)), 0)
      INTO v_len FROM jsonb_array_elements(e.key_questions) x;
    IF jsonb_typeof(acc->'breaks') = 'object' THEN
      v_len := v_len + coalesce((acc->'breaks'->>'count')::numeric, 0)
                     * coalesce((acc->'breaks'->>'maxMinutes')::numeric, 0) * 60;
    END IF;
    v_margin := 2 * v_len + 1800;
    v_rate := CASE WHEN e.upload_mode = 'flags_only' THEN 14630 ELSE 146300 END;
    v_session_bytes := ceil(v_margin * v_rate) + 67108864;
    v_session_blobs := 200 + ceil(v_margin / 5);
    q := CASE WHEN jsonb_typeof(e.policy->'storageQuota') = 'object' THEN e.policy->'storageQuota'
              ELSE '{}'::jsonb END;
    RETURN jsonb_build_object(
      'lengthS', v_len,
      'derived', jsonb_build_object('sessionBytes', v_session_bytes, 'sessionBlobs', v_session_blobs,
                                    'deviceBytes', 3 * v_session_bytes, 'deviceBlobs', 3 * v_session_blobs),
      'sessionBytes', vigil.quota_value(q->'sessionBytes', v_session_bytes),
      'sessionBlobs', vigil.quota_value(q->'sessionBlobs', v_session_blobs),
      'deviceBytes', vigil.quota_value(q->'deviceBytes', 3 * v_session_bytes),
      'deviceBlobs', vigil.quota_value(q->'deviceBlobs', 3 * v_session_blobs));
  END $function$
