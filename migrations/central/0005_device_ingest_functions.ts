// Central PostgreSQL: the only door for devices. vigil_device may EXECUTE these functions and
// nothing else. Each runs SECURITY DEFINER with a pinned search_path, checks the device token
// against its stored hash (unknown, revoked and expired tokens are refused), applies each item once
// per idempotency key, verifies each session's hash chain and returns receipts.
// SQLSTATEs: 28000 token/code refused; VG400 malformed item; VG403 not this device's session or
// blob; VG409 wrong chunk offset (DETAIL carries the server's offset); VG422 chunk or blob hash wrong.
import { sql, type Kysely } from 'kysely';

const FUNCTIONS = [
  `CREATE FUNCTION vigil.device_auth(p_token text) RETURNS vigil.devices
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
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
  END $$`,

  `CREATE FUNCTION vigil.device_session(d vigil.devices, p_session uuid) RETURNS vigil.sessions
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE s vigil.sessions;
  BEGIN
    SELECT * INTO s FROM vigil.sessions WHERE id = p_session;
    IF NOT FOUND OR s.device_id IS DISTINCT FROM d.id THEN
      RAISE EXCEPTION 'session % is not open on this device', p_session USING ERRCODE = 'VG403';
    END IF;
    RETURN s;
  END $$`,

  `CREATE FUNCTION vigil.flag_chain(p_session uuid, p_verdict text, p_details jsonb) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    UPDATE vigil.sessions SET evidence_verdict = CASE
      WHEN evidence_verdict = 'altered' OR p_verdict = 'altered' THEN 'altered' ELSE p_verdict END
    WHERE id = p_session;
    INSERT INTO vigil.warnings(id, session_id, type, severity, started_at, details, source)
    SELECT gen_random_uuid(), p_session, 'evidence_chain', 'high', now(),
           p_details || jsonb_build_object('verdict', p_verdict), 'server'
    WHERE NOT EXISTS (SELECT 1 FROM vigil.warnings w WHERE w.session_id = p_session
                      AND w.type = 'evidence_chain' AND w.details->>'verdict' = p_verdict);
  END $$`,

  // Stores one event and checks its own hash; the chain head advances once per batch (advance_chain):
  // locking and updating the session row per event inside per-item savepoints is quadratic.
  `CREATE FUNCTION vigil.ingest_event(d vigil.devices, p jsonb) RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    v_body text := p->>'body';
    v jsonb; v_sid uuid; v_seq integer; v_prev bytea; v_hash bytea; v_valid boolean;
    existing vigil.events;
  BEGIN
    IF v_body IS NULL OR length(v_body) > 1000000 THEN
      RAISE EXCEPTION 'event body missing or larger than 1 MB' USING ERRCODE = 'VG400';
    END IF;
    v := v_body::jsonb;
    v_sid := (v->>'sessionId')::uuid;
    v_seq := (v->>'seq')::integer;
    IF v_sid IS NULL OR v_seq IS NULL OR v_seq < 1 OR v->>'kind' IS NULL OR v->>'at' IS NULL THEN
      RAISE EXCEPTION 'event body lacks sessionId, seq, kind or at' USING ERRCODE = 'VG400';
    END IF;
    PERFORM vigil.device_session(d, v_sid);
    v_prev := decode(p->>'prevHash', 'hex');
    v_hash := decode(p->>'hash', 'hex');
    IF v_prev IS NULL OR v_hash IS NULL OR length(v_prev) <> 32 OR length(v_hash) <> 32 THEN
      RAISE EXCEPTION 'event hashes must be 32-byte hex' USING ERRCODE = 'VG400';
    END IF;
    v_valid := sha256(v_prev || convert_to(v_body, 'UTF8')) = v_hash;
    INSERT INTO vigil.events(session_id, seq, kind, occurred_at, body, payload, prev_hash, hash, hash_valid)
    VALUES (v_sid, v_seq, v->>'kind', (v->>'at')::timestamptz, v_body, coalesce(v->'data', '{}'),
            v_prev, v_hash, v_valid)
    ON CONFLICT (session_id, seq) DO NOTHING;
    IF NOT FOUND THEN
      SELECT * INTO existing FROM vigil.events WHERE session_id = v_sid AND seq = v_seq;
      IF existing.hash <> v_hash OR existing.body <> v_body THEN
        PERFORM vigil.flag_chain(v_sid, 'altered', jsonb_build_object('seq', v_seq,
          'problem', 'a different event was sent for a sequence number already stored'));
      END IF;
    ELSIF NOT v_valid THEN
      PERFORM vigil.flag_chain(v_sid, 'altered', jsonb_build_object('seq', v_seq,
        'problem', 'the hash does not match the event'));
    END IF;
    RETURN v_sid;
  END $$`,

  // Advances the verified head over every contiguous stored event (reordered deliveries catch up)
  // and records the verdict: incomplete while a hole remains, altered when a link does not hold.
  `CREATE FUNCTION vigil.advance_chain(p_session uuid) RETURNS vigil.sessions
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE s vigil.sessions; v_rows integer; v_bad_rn integer; v_bad_linked boolean; v_seq integer;
    v_head bytea; v_max integer;
  BEGIN
    SELECT * INTO s FROM vigil.sessions WHERE id = p_session FOR UPDATE;
    -- Set-based walk: row rn continues the chain when its seq is chain_seq + rn, its prev_hash is the
    -- previous row's hash (the head for rn = 1) and its own hash is valid. The head moves to the row
    -- before the first one that does not.
    WITH e AS (
      SELECT ev.seq, ev.prev_hash, ev.hash, ev.hash_valid,
             row_number() OVER w AS rn, lag(ev.hash) OVER w AS lag_hash
      FROM vigil.events ev WHERE ev.session_id = p_session AND ev.seq > s.chain_seq
      WINDOW w AS (ORDER BY ev.seq)
    ), bad AS (
      SELECT e.rn, e.seq = s.chain_seq + e.rn AS linked_seq FROM e
      WHERE e.seq <> s.chain_seq + e.rn OR e.prev_hash <> coalesce(e.lag_hash, s.chain_head) OR NOT e.hash_valid
      ORDER BY e.rn LIMIT 1
    )
    SELECT (SELECT count(*) FROM e), (SELECT b.rn FROM bad b), (SELECT b.linked_seq FROM bad b),
           (SELECT max(e.seq) FROM e)
    INTO v_rows, v_bad_rn, v_bad_linked, v_max;
    v_seq := s.chain_seq + coalesce(v_bad_rn - 1, v_rows);
    IF v_seq > s.chain_seq THEN
      SELECT ev.hash INTO v_head FROM vigil.events ev WHERE ev.session_id = p_session AND ev.seq = v_seq;
    ELSE
      v_head := s.chain_head;
    END IF;
    IF v_bad_rn IS NOT NULL AND v_bad_linked THEN
      -- The next event is there but does not link (or its own hash is wrong): altered.
      PERFORM vigil.flag_chain(p_session, 'altered', jsonb_build_object('seq', v_seq + 1,
        'problem', 'the event does not continue the chain'));
    END IF;
    v_max := greatest(coalesce(v_max, 0), s.chain_seq);
    UPDATE vigil.sessions SET chain_seq = v_seq, chain_head = v_head, max_seq = v_max,
      evidence_verdict = CASE WHEN evidence_verdict IN ('altered', 'gap') THEN evidence_verdict
                              WHEN v_max > v_seq THEN 'incomplete' ELSE 'intact' END
    WHERE id = p_session RETURNING * INTO s;
    RETURN s;
  END $$`,

  // Applies one item; returns the session whose chain needs advancing (events), else null.
  `CREATE FUNCTION vigil.ingest_item(d vigil.devices, p_kind text, p jsonb) RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
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
        video_sha256 = coalesce(decode(p->>'videoSha256', 'hex'), video_sha256)
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
      IF p ? 'sessionId' THEN s := vigil.device_session(d, (p->>'sessionId')::uuid); END IF;
      INSERT INTO vigil.token_usage(id, user_id, exam_id, session_id, model, prompt_tokens, completion_tokens,
        total_tokens, request_type, cost)
      VALUES ((p->>'id')::uuid, d.candidate_id, d.exam_id, s.id, p->>'model', (p->>'promptTokens')::integer,
              (p->>'completionTokens')::integer, (p->>'totalTokens')::integer, p->>'requestType',
              coalesce((p->>'cost')::numeric, 0))
      ON CONFLICT (id) DO NOTHING;
    ELSE
      RAISE EXCEPTION 'unknown item kind %', p_kind USING ERRCODE = 'VG400';
    END CASE;
    RETURN NULL;
  END $$`,

  // One item, the careful way: claim its key, apply it in its own savepoint, record a rejection
  // with its reason. Returns {receipt, session} (session: whose chain to advance).
  `CREATE FUNCTION vigil.ingest_one(d vigil.devices, it jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_key text := it->>'key'; v_kind text := coalesce(it->>'kind', ''); prior vigil.ingest_receipts; v_sid uuid;
  BEGIN
    IF v_key IS NULL OR length(v_key) NOT BETWEEN 1 AND 200 THEN
      RETURN jsonb_build_object('receipt', jsonb_build_object('key', v_key, 'status', 'rejected',
        'reason', 'missing or invalid idempotency key'));
    END IF;
    -- The receipt row claims the key first: a concurrent duplicate waits here, then sees it.
    INSERT INTO vigil.ingest_receipts(device_id, idempotency_key, kind, status)
    VALUES (d.id, v_key, v_kind, 'applied') ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      SELECT * INTO prior FROM vigil.ingest_receipts WHERE device_id = d.id AND idempotency_key = v_key;
      RETURN jsonb_build_object('receipt', jsonb_build_object('key', v_key, 'status', 'duplicate',
        'original', prior.status, 'reason', prior.reason));
    END IF;
    BEGIN
      v_sid := vigil.ingest_item(d, v_kind, it->'payload');
      RETURN jsonb_build_object('receipt', jsonb_build_object('key', v_key, 'status', 'applied'), 'session', v_sid);
    EXCEPTION WHEN data_exception OR integrity_constraint_violation OR SQLSTATE 'VG400'
                OR SQLSTATE 'VG403' OR SQLSTATE 'VG422' THEN
      UPDATE vigil.ingest_receipts SET status = 'rejected', reason = left(SQLERRM, 500)
      WHERE device_id = d.id AND idempotency_key = v_key;
      RETURN jsonb_build_object('receipt', jsonb_build_object('key', v_key, 'status', 'rejected',
        'reason', left(SQLERRM, 500)));
    END;
  END $$`,

  // A run of consecutive events, set-based. An event's identity is (session, seq), so the events
  // primary key itself makes it exactly-once: a conflict with the same hash is a duplicate. It
  // only applies when the whole run is clean (well-formed, this device's sessions, valid hashes,
  // duplicates identical); otherwise it raises and the caller redoes the run item by item, which
  // records receipts and flags each problem precisely. Per-item savepoints and receipt rows made
  // the common case several times slower than a plain INSERT.
  `CREATE FUNCTION vigil.ingest_event_run(d vigil.devices, p_run jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_bad integer; v_all_ok boolean; v_dups_ok boolean; v_sessions uuid[]; v_receipts jsonb;
  BEGIN
    SELECT count(*) INTO v_bad FROM jsonb_array_elements(p_run) x(it)
    WHERE NOT coalesce(length(it->>'key') BETWEEN 1 AND 200
                       AND length(it->'payload'->>'body') <= 1000000
                       AND it->'payload'->>'prevHash' ~ '^[0-9a-f]{64}$'
                       AND it->'payload'->>'hash' ~ '^[0-9a-f]{64}$', false);
    IF v_bad > 0 THEN
      RAISE EXCEPTION 'run needs item-by-item handling' USING ERRCODE = 'VG499';
    END IF;
    -- One statement, no temp table (a device could plant one in its own session).
    WITH typed AS (
      SELECT x.ord, x.it->>'key' AS key, (p.j->>'sessionId')::uuid AS sid, (p.j->>'seq')::integer AS seq,
             p.j->>'kind' AS kind, (p.j->>'at')::timestamptz AS at, x.it->'payload'->>'body' AS body,
             coalesce(p.j->'data', '{}') AS data, decode(x.it->'payload'->>'prevHash', 'hex') AS prev,
             decode(x.it->'payload'->>'hash', 'hex') AS hash
      FROM jsonb_array_elements(p_run) WITH ORDINALITY x(it, ord),
           LATERAL (SELECT (x.it->'payload'->>'body')::jsonb AS j) p
    ), checked AS (
      SELECT t.*, coalesce(t.seq >= 1 AND t.kind IS NOT NULL AND t.at IS NOT NULL
                           AND sha256(t.prev || convert_to(t.body, 'UTF8')) = t.hash
                           AND EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.id = t.sid AND s.device_id = d.id),
                           false) AS ok
      FROM typed t
    ), verdict AS (
      SELECT bool_and(c.ok) AS all_ok FROM checked c
    ), ins AS (
      INSERT INTO vigil.events(session_id, seq, kind, occurred_at, body, payload, prev_hash, hash, hash_valid)
      SELECT c.sid, c.seq, c.kind, c.at, c.body, c.data, c.prev, c.hash, true
      FROM checked c, verdict v WHERE v.all_ok ORDER BY c.ord
      ON CONFLICT (session_id, seq) DO NOTHING
      RETURNING session_id, seq
    ), joined AS (
      SELECT c.ord, c.key, c.sid, c.seq, c.hash, i.seq IS NOT NULL AS inserted
      FROM checked c LEFT JOIN ins i ON i.session_id = c.sid AND i.seq = c.seq
    )
    SELECT (SELECT v.all_ok FROM verdict v),
           -- Every event not inserted must already be stored identically; else it is for the slow path.
           (SELECT coalesce(bool_and(EXISTS (SELECT 1 FROM vigil.events e
                     WHERE e.session_id = j.sid AND e.seq = j.seq AND e.hash = j.hash)), true)
            FROM joined j WHERE NOT j.inserted),
           (SELECT array_agg(DISTINCT i.session_id) FROM ins i),
           (SELECT jsonb_agg(jsonb_build_object('key', j.key, 'status',
                     CASE WHEN j.inserted THEN 'applied' ELSE 'duplicate' END) ORDER BY j.ord) FROM joined j)
    INTO v_all_ok, v_dups_ok, v_sessions, v_receipts;
    IF NOT v_all_ok OR NOT v_dups_ok THEN
      RAISE EXCEPTION 'run needs item-by-item handling' USING ERRCODE = 'VG499';
    END IF;
    RETURN jsonb_build_object('receipts', v_receipts, 'sessions', to_jsonb(coalesce(v_sessions, '{}')));
  END $$`,

  `CREATE FUNCTION vigil.ingest_run(d vigil.devices, p_run jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE it jsonb; r jsonb; receipts jsonb := '[]'; sessions jsonb := '[]';
  BEGIN
    BEGIN
      RETURN vigil.ingest_event_run(d, p_run);
    EXCEPTION WHEN data_exception OR integrity_constraint_violation OR SQLSTATE 'VG499' THEN
      NULL; -- fall through: item by item
    END;
    FOR it IN SELECT value FROM jsonb_array_elements(p_run) LOOP
      r := vigil.ingest_one(d, it);
      receipts := receipts || jsonb_build_array(r->'receipt');
      IF r->>'session' IS NOT NULL THEN sessions := sessions || jsonb_build_array(r->'session'); END IF;
    END LOOP;
    RETURN jsonb_build_object('receipts', receipts, 'sessions', sessions);
  END $$`,

  `CREATE FUNCTION vigil.ingest(p_token text, p_items jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    d vigil.devices := vigil.device_auth(p_token);
    it jsonb; r jsonb; res jsonb; v_sid uuid; n integer := 0; run_start integer := 0; total integer;
    receipts jsonb := '[]'; touched uuid[] := '{}';
  BEGIN
    IF p_items IS NULL OR jsonb_typeof(p_items) <> 'array' OR jsonb_array_length(p_items) > 2000 THEN
      RAISE EXCEPTION 'items must be an array of at most 2000' USING ERRCODE = 'VG400';
    END IF;
    total := jsonb_array_length(p_items);
    FOR it IN SELECT value FROM jsonb_array_elements(p_items) LOOP
      n := n + 1; -- 1-based position of it; p_items->n is the next item
      IF it->>'kind' = 'event' THEN
        IF run_start = 0 THEN run_start := n; END IF;
        -- A run of events ends where the next item is not an event: flush it before that item.
        IF n < total AND (p_items->n)->>'kind' = 'event' THEN CONTINUE; END IF;
        res := vigil.ingest_run(d, (SELECT jsonb_agg(x.value ORDER BY x.ord)
                                    FROM jsonb_array_elements(p_items) WITH ORDINALITY x(value, ord)
                                    WHERE x.ord BETWEEN run_start AND n));
        run_start := 0;
        receipts := receipts || (res->'receipts');
        touched := touched || ARRAY(SELECT value::uuid FROM jsonb_array_elements_text(res->'sessions'));
      ELSE
        r := vigil.ingest_one(d, it);
        receipts := receipts || jsonb_build_array(r->'receipt');
        IF r->>'session' IS NOT NULL THEN touched := touched || (r->>'session')::uuid; END IF;
      END IF;
    END LOOP;
    FOR v_sid IN SELECT DISTINCT u FROM unnest(touched) u LOOP
      PERFORM vigil.advance_chain(v_sid);
    END LOOP;
    UPDATE vigil.devices SET last_seen_at = now() WHERE id = d.id;
    RETURN receipts;
  END $$`,

  `CREATE FUNCTION vigil.redeem_enrollment(p_code text, p_label text) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE e vigil.enrollments; v_token text; v_device uuid; v_expires timestamptz;
  BEGIN
    SELECT * INTO e FROM vigil.enrollments
    WHERE code_hash = sha256(convert_to(upper(coalesce(p_code, '')), 'UTF8')) FOR UPDATE;
    IF NOT FOUND OR e.redeemed_at IS NOT NULL OR e.expires_at <= now() THEN
      RAISE EXCEPTION 'enrollment code refused' USING ERRCODE = '28000',
        DETAIL = CASE WHEN NOT FOUND THEN 'unknown' WHEN e.redeemed_at IS NOT NULL THEN 'used' ELSE 'expired' END;
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
  END $$`,

  `CREATE FUNCTION vigil.fetch_exam(p_token text) RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE d vigil.devices := vigil.device_auth(p_token); result jsonb;
  BEGIN
    SELECT jsonb_build_object('id', e.id, 'title', e.title, 'type', e.type, 'difficulty', e.difficulty,
      'keyQuestions', e.key_questions, 'policy', e.policy, 'retentionDays', e.retention_days,
      'uploadMode', e.upload_mode, 'resumeText', r.content_text,
      'jobListing', CASE WHEN j.id IS NULL THEN NULL
                         ELSE jsonb_build_object('title', j.title, 'description', j.description) END)
    INTO result
    FROM vigil.exams e LEFT JOIN vigil.resumes r ON r.id = e.resume_id
    LEFT JOIN vigil.job_listings j ON j.id = e.job_listing_id
    WHERE e.id = d.exam_id;
    RETURN result;
  END $$`,

  `CREATE FUNCTION vigil.blob_begin(p_token text, p jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE d vigil.devices := vigil.device_auth(p_token); s vigil.sessions; b vigil.blobs;
  BEGIN
    s := vigil.device_session(d, (p->>'sessionId')::uuid);
    IF (p->>'size')::bigint NOT BETWEEN 0 AND 536870912 THEN
      RAISE EXCEPTION 'blob larger than 512 MiB' USING ERRCODE = 'VG400';
    END IF;
    INSERT INTO vigil.blobs(id, session_id, device_id, kind, sha256, size, content_type)
    VALUES ((p->>'id')::uuid, s.id, d.id, p->>'kind', decode(p->>'sha256', 'hex'), (p->>'size')::bigint,
            coalesce(p->>'contentType', 'application/octet-stream'))
    ON CONFLICT (id) DO NOTHING;
    SELECT * INTO b FROM vigil.blobs WHERE id = (p->>'id')::uuid;
    IF b.device_id IS DISTINCT FROM d.id THEN
      RAISE EXCEPTION 'blob % was not started by this device', b.id USING ERRCODE = 'VG403';
    END IF;
    IF b.sha256 <> decode(p->>'sha256', 'hex') OR b.size <> (p->>'size')::bigint THEN
      RAISE EXCEPTION 'blob % was started with another hash or size', b.id USING ERRCODE = 'VG400';
    END IF;
    RETURN jsonb_build_object('offset', b.received, 'status', b.status);
  END $$`,

  `CREATE FUNCTION vigil.blob_chunk(p_token text, p_blob uuid, p_offset bigint, p_data bytea, p_sha256 text)
  RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE d vigil.devices := vigil.device_auth(p_token); b vigil.blobs; v_hash bytea;
  BEGIN
    SELECT * INTO b FROM vigil.blobs WHERE id = p_blob FOR UPDATE;
    IF NOT FOUND OR b.device_id IS DISTINCT FROM d.id THEN
      RAISE EXCEPTION 'blob % was not started by this device', p_blob USING ERRCODE = 'VG403';
    END IF;
    IF b.status = 'complete' THEN
      RETURN jsonb_build_object('offset', b.received, 'status', b.status);
    END IF;
    IF p_offset IS DISTINCT FROM b.received THEN
      RAISE EXCEPTION 'wrong offset % for blob %', p_offset, p_blob USING ERRCODE = 'VG409', DETAIL = b.received::text;
    END IF;
    IF p_data IS NULL OR length(p_data) = 0 OR length(p_data) > 8388608 OR b.received + length(p_data) > b.size THEN
      RAISE EXCEPTION 'chunk is empty, larger than 8 MiB or runs past the blob size' USING ERRCODE = 'VG400';
    END IF;
    v_hash := sha256(p_data);
    IF v_hash IS DISTINCT FROM decode(p_sha256, 'hex') THEN
      RAISE EXCEPTION 'chunk at offset % does not match its sha256', p_offset USING ERRCODE = 'VG422';
    END IF;
    INSERT INTO vigil.blob_chunks(blob_id, "offset", sha256, data) VALUES (p_blob, p_offset, v_hash, p_data);
    UPDATE vigil.blobs SET received = received + length(p_data) WHERE id = p_blob;
    RETURN jsonb_build_object('offset', b.received + length(p_data), 'status', b.status);
  END $$`,

  `CREATE FUNCTION vigil.blob_finish(p_token text, p_blob uuid) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE d vigil.devices := vigil.device_auth(p_token); b vigil.blobs; v_hash bytea;
  BEGIN
    SELECT * INTO b FROM vigil.blobs WHERE id = p_blob FOR UPDATE;
    IF NOT FOUND OR b.device_id IS DISTINCT FROM d.id THEN
      RAISE EXCEPTION 'blob % was not started by this device', p_blob USING ERRCODE = 'VG403';
    END IF;
    IF b.status <> 'complete' THEN
      IF b.received <> b.size THEN
        RAISE EXCEPTION 'blob % is incomplete', p_blob USING ERRCODE = 'VG409', DETAIL = b.received::text;
      END IF;
      SELECT sha256(coalesce(string_agg(c.data, ''::bytea ORDER BY c."offset"), ''::bytea)) INTO v_hash
      FROM vigil.blob_chunks c WHERE c.blob_id = p_blob;
      IF v_hash <> b.sha256 THEN
        -- Start over: the chunks on file do not add up to the announced file.
        DELETE FROM vigil.blob_chunks WHERE blob_id = p_blob;
        UPDATE vigil.blobs SET received = 0 WHERE id = p_blob;
        RAISE EXCEPTION 'blob % does not match its sha256; upload it again', p_blob USING ERRCODE = 'VG422', DETAIL = '0';
      END IF;
      UPDATE vigil.blobs SET status = 'complete', completed_at = now() WHERE id = p_blob RETURNING * INTO b;
    END IF;
    RETURN jsonb_build_object('id', b.id, 'sha256', encode(b.sha256, 'hex'), 'size', b.size,
                              'completedAt', b.completed_at);
  END $$`,
];

const DEVICE_CALLS = [
  'vigil.ingest(text, jsonb)',
  'vigil.redeem_enrollment(text, text)',
  'vigil.fetch_exam(text)',
  'vigil.blob_begin(text, jsonb)',
  'vigil.blob_chunk(text, uuid, bigint, bytea, text)',
  'vigil.blob_finish(text, uuid)',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const text of FUNCTIONS) await sql.raw(text).execute(db);
  await sql.raw(`REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA vigil FROM PUBLIC`).execute(db);
  await sql.raw(`GRANT EXECUTE ON FUNCTION ${DEVICE_CALLS.join(', ')} TO vigil_device`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `DROP FUNCTION ${DEVICE_CALLS.join(', ')}, vigil.ingest_item(vigil.devices, text, jsonb),
       vigil.ingest_run(vigil.devices, jsonb), vigil.ingest_event_run(vigil.devices, jsonb),
       vigil.ingest_one(vigil.devices, jsonb), vigil.advance_chain(uuid), vigil.ingest_event(vigil.devices, jsonb), vigil.flag_chain(uuid, text, jsonb),
       vigil.device_session(vigil.devices, uuid), vigil.device_auth(text)`,
    )
    .execute(db);
}
