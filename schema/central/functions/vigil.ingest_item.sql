CREATE OR REPLACE FUNCTION vigil.ingest_item(d vigil.devices, p_kind text, p jsonb)
 RETURNS uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE s vigil.sessions; v_id uuid;
  BEGIN
    IF p IS NULL OR jsonb_typeof(p) <> 'object' THEN
      RAISE EXCEPTION 'item payload must be an object' USING ERRCODE = 'VG400';
    END IF;
    CASE p_kind
    WHEN 'event' THEN
      RETURN vigil.ingest_event(d, p);
    WHEN 'session.start' THEN
      v_id := (p->>'id')::uuid;
      IF v_id IS NULL THEN RAISE EXCEPTION 'session id missing' USING ERRCODE = 'VG400'; END IF;
      INSERT INTO vigil.sessions(id, exam_id, candidate_id, device_id, status, started_at)
      VALUES (v_id, d.exam_id, d.candidate_id, d.id, 'in_progress', coalesce((p->>'startedAt')::timestamptz, now()))
      ON CONFLICT (id) DO NOTHING;
      PERFORM vigil.device_session(d, v_id);
    WHEN 'session.update' THEN
      s := vigil.device_session(d, (p->>'id')::uuid);
      UPDATE vigil.sessions SET
        status = coalesce(p->>'status', status),
        ended_at = coalesce((p->>'endedAt')::timestamptz, ended_at),
        risk_score = coalesce((p->>'riskScore')::numeric, risk_score),
        id_verification_status = coalesce(p->>'idVerificationStatus', id_verification_status),
        id_details = coalesce(p->'idDetails', id_details),
        id_image_sha256 = coalesce(decode(p->>'idImageSha256', 'hex'), id_image_sha256),
        video_sha256 = coalesce(decode(p->>'videoSha256', 'hex'), video_sha256),
        video_started_at = coalesce((p->>'videoStartedAt')::timestamptz, video_started_at),
        poster_sha256 = coalesce(decode(p->>'posterSha256', 'hex'), poster_sha256)
      WHERE id = s.id;
      -- Events of this batch come first: bring the chain up to date before judging it.
      s := vigil.advance_chain(s.id);
      IF p ? 'finalSeq' THEN
        IF s.chain_seq < (p->>'finalSeq')::integer THEN
          PERFORM vigil.flag_chain(s.id, 'gap', jsonb_build_object('finalSeq', (p->>'finalSeq')::integer,
            'verifiedSeq', s.chain_seq, 'problem', 'events are missing from the chain'));
        ELSIF s.chain_seq = (p->>'finalSeq')::integer AND p ? 'finalHash'
              AND s.chain_head <> decode(p->>'finalHash', 'hex') THEN
          PERFORM vigil.flag_chain(s.id, 'altered', jsonb_build_object('finalSeq', s.chain_seq,
            'problem', 'the final hash does not match the chain'));
        END IF;
      END IF;
    WHEN 'warning' THEN
      s := vigil.device_session(d, (p->>'sessionId')::uuid);
      INSERT INTO vigil.warnings(id, session_id, type, severity, started_at, ended_at, confidence, details, snapshot_sha256)
      VALUES ((p->>'id')::uuid, s.id, p->>'type', p->>'severity', (p->>'startedAt')::timestamptz,
              (p->>'endedAt')::timestamptz, (p->>'confidence')::real, coalesce(p->'details', '{}'),
              decode(p->>'snapshotSha256', 'hex'))
      ON CONFLICT (id) DO UPDATE SET ended_at = EXCLUDED.ended_at, confidence = EXCLUDED.confidence,
        details = EXCLUDED.details, snapshot_sha256 = coalesce(EXCLUDED.snapshot_sha256, warnings.snapshot_sha256)
      WHERE warnings.session_id = EXCLUDED.session_id AND warnings.source = 'device';
      IF NOT FOUND THEN RAISE EXCEPTION 'warning belongs to another session' USING ERRCODE = 'VG403'; END IF;
    WHEN 'question' THEN
      s := vigil.device_session(d, (p->>'sessionId')::uuid);
      INSERT INTO vigil.questions(id, session_id, ordinal, text, time_limit_s, asked_at, answered_at, answer_text, answer_audio_sha256)
      VALUES ((p->>'id')::uuid, s.id, (p->>'ordinal')::integer, p->>'text', (p->>'timeLimitS')::integer,
              (p->>'askedAt')::timestamptz, (p->>'answeredAt')::timestamptz, p->>'answerText',
              decode(p->>'answerAudioSha256', 'hex'))
      ON CONFLICT (id) DO UPDATE SET asked_at = EXCLUDED.asked_at, answered_at = EXCLUDED.answered_at,
        answer_text = EXCLUDED.answer_text, answer_audio_sha256 = EXCLUDED.answer_audio_sha256
      WHERE questions.session_id = EXCLUDED.session_id;
      IF NOT FOUND THEN RAISE EXCEPTION 'question belongs to another session' USING ERRCODE = 'VG403'; END IF;
    WHEN 'message' THEN
      s := vigil.device_session(d, (p->>'sessionId')::uuid);
      INSERT INTO vigil.messages(id, session_id, question_id, role, content, created_at)
      VALUES ((p->>'id')::uuid, s.id, (p->>'questionId')::uuid, p->>'role', p->>'content',
              (p->>'createdAt')::timestamptz);
    WHEN 'evaluation' THEN
      s := vigil.device_session(d, (p->>'sessionId')::uuid);
      INSERT INTO vigil.evaluations(id, session_id, professionalism, subject_knowledge, clarity, overall, traits,
        suggestions, feedback, question_responses, details, evaluator, pdf_sha256)
      VALUES ((p->>'id')::uuid, s.id, (p->>'professionalism')::integer, (p->>'subjectKnowledge')::integer,
              (p->>'clarity')::integer, (p->>'overall')::integer, coalesce(p->'traits', '[]'),
              coalesce(p->'suggestions', '[]'), coalesce(p->>'feedback', ''),
              coalesce(p->'questionResponses', '[]'), coalesce(p->'details', '{}'), p->>'evaluator',
              decode(p->>'pdfSha256', 'hex'))
      ON CONFLICT (session_id) DO UPDATE SET professionalism = EXCLUDED.professionalism,
        subject_knowledge = EXCLUDED.subject_knowledge, clarity = EXCLUDED.clarity, overall = EXCLUDED.overall,
        traits = EXCLUDED.traits, suggestions = EXCLUDED.suggestions, feedback = EXCLUDED.feedback,
        question_responses = EXCLUDED.question_responses, details = EXCLUDED.details,
        evaluator = EXCLUDED.evaluator, pdf_sha256 = coalesce(EXCLUDED.pdf_sha256, evaluations.pdf_sha256);
    WHEN 'token_usage' THEN
      IF p->>'sessionId' IS NOT NULL THEN s := vigil.device_session(d, (p->>'sessionId')::uuid); END IF;
      INSERT INTO vigil.token_usage(id, user_id, exam_id, session_id, model, prompt_tokens, completion_tokens,
        total_tokens, request_type, cost, created_at)
      VALUES ((p->>'id')::uuid, d.candidate_id, d.exam_id, s.id, p->>'model', (p->>'promptTokens')::integer,
              (p->>'completionTokens')::integer, (p->>'totalTokens')::integer, p->>'requestType',
              coalesce((p->>'cost')::numeric, 0), least(coalesce((p->>'createdAt')::timestamptz, now()), now()))
      ON CONFLICT (id) DO NOTHING;
    ELSE
      RAISE EXCEPTION 'unknown item kind %', p_kind USING ERRCODE = 'VG400';
    END CASE;
    RETURN NULL;
  END $function$
