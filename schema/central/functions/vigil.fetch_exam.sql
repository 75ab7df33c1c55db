CREATE OR REPLACE FUNCTION vigil.fetch_exam(p_token text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE d vigil.devices := vigil.device_auth(p_token); content jsonb; info jsonb; k bytea; iv bytea;
    ct bytea; sealed bytea;
  BEGIN
    SELECT jsonb_build_object('id', e.id, 'title', e.title, 'type', e.type, 'difficulty', e.difficulty,
      'keyQuestions', e.key_questions,
      'policy', CASE WHEN a.profile IS NULL THEN e.policy
                     ELSE e.policy || jsonb_build_object('accommodation', a.profile) END,
      'retentionDays', e.retention_days,
      'uploadMode', e.upload_mode, 'resumeText', r.content_text,
      'jobListing', CASE WHEN j.id IS NULL THEN NULL
                         ELSE jsonb_build_object('title', j.title, 'description', j.description) END,
      'maxBlobBytes', (SELECT cs.max_blob_bytes FROM vigil.central_settings cs),
      'generatedQuestions', (SELECT jsonb_build_object('source', g.generator, 'model', g.model,
                                                       'questions', g.questions)
                             FROM vigil.exam_generated_questions g
                             WHERE g.exam_id = e.id AND g.basis = vigil.question_basis(e))),
      jsonb_build_object('id', e.id, 'title', e.title, 'type', e.type, 'difficulty', e.difficulty,
      'retentionDays', e.retention_days, 'uploadMode', e.upload_mode,
      'maxBlobBytes', (SELECT cs.max_blob_bytes FROM vigil.central_settings cs),
      'questionCount', jsonb_array_length(e.key_questions),
      'totalTimeS', (SELECT coalesce(sum((q->>'time_limit_s')::int), 0)
                     FROM jsonb_array_elements(e.key_questions) q),
      'accommodations', coalesce(e.policy->'accommodations', '[]'::jsonb),
      'opensAt', e.opens_at, 'closesAt', e.closes_at,
      'evaluation', CASE WHEN e.policy->>'evaluation' = 'device' THEN 'device' ELSE 'server' END,
      'minAppVersion', e.policy->>'minAppVersion',
      'offlineStart', (SELECT jsonb_build_object('salt', encode(sc.salt, 'base64'),
                         'wrappedKey', encode(sc.wrapped_key, 'base64'))
                       FROM vigil.exam_start_codes sc WHERE sc.exam_id = e.id)),
      ek.content_key
    INTO content, info, k
    FROM vigil.exams e JOIN vigil.exam_keys ek ON ek.exam_id = e.id
    LEFT JOIN vigil.resumes r ON r.id = e.resume_id
    LEFT JOIN vigil.job_listings j ON j.id = e.job_listing_id
    LEFT JOIN vigil.enrollments en ON en.id = d.enrollment_id
    LEFT JOIN LATERAL (
      SELECT p AS profile FROM jsonb_array_elements(e.accommodation_profiles) p
      WHERE en.accommodation IS NOT NULL AND p->>'name' = en.accommodation LIMIT 1
    ) a ON true
    WHERE e.id = d.exam_id;
    IF content IS NULL THEN RETURN NULL; END IF;
    iv := vigil_crypto.gen_random_bytes(16);
    ct := vigil_crypto.encrypt_iv(convert_to(content::text, 'UTF8'),
      vigil_crypto.hmac(convert_to('vigil exam enc', 'UTF8'), k, 'sha256'), iv, 'aes-cbc/pad:pkcs');
    sealed := decode('01', 'hex') || iv || ct;
    sealed := sealed || vigil_crypto.hmac(sealed, vigil_crypto.hmac(convert_to('vigil exam mac', 'UTF8'), k, 'sha256'), 'sha256');
    RETURN info || jsonb_build_object('sealed', encode(sealed, 'base64'));
  END $function$
