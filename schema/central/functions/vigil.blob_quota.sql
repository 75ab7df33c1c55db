CREATE OR REPLACE FUNCTION vigil.blob_quota(p_exam uuid, p_enrollment uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE e vigil.exams; acc jsonb; q jsonb; v_len numeric; v_margin numeric; v_rate numeric;
    v_session_bytes bigint; v_session_blobs bigint; v_gen jsonb; v_gen_len numeric;
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
    -- Generated questions (central 0451) add theirs: the list the worker made for the exam's basis,
    -- or, before it is made, the most they may take (the count asked for × 600 s, the generator's cap).
    v_gen := vigil.question_basis(e);
    IF (v_gen->>'count')::int > 0 THEN
      SELECT coalesce(sum(ceil(coalesce((x->>'time_limit_s')::numeric, 600)
                               * (100 + coalesce((acc->>'extraTimePercent')::numeric, 0)) / 100)), -1)
        INTO v_gen_len
        FROM vigil.exam_generated_questions g, jsonb_array_elements(g.questions) x
        WHERE g.exam_id = e.id AND g.basis = v_gen;
      IF v_gen_len < 0 THEN
        v_gen_len := ceil((v_gen->>'count')::numeric * 600
                          * (100 + coalesce((acc->>'extraTimePercent')::numeric, 0)) / 100);
      END IF;
      v_len := v_len + v_gen_len;
    END IF;
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
