// Central PostgreSQL: what the device sends after a session is linked to the session. The merged
// recording (upload mode full) comes with the wall time its first frame was recorded, so the console
// seeks to a warning at (warning start - recording start), not from the session's start (consent and
// the checks come before the recording); a flags_only session's poster frame is linked to the session.
// Only the session.update branch of vigil.ingest_item changes; the rest is 0007's, written out here so
// this migration never changes when another file does.
//
// Every report version of a session is listed in vigil.report_versions: the device's (from its
// `report_generated` chain events, whose PDFs arrive as blobs) and the console's (a proctor's
// decision rebuilds the report on the console's machine, which files it here through
// vigil.file_report on the proctor's own login, so the PDF of record is central, not a local file).
import { sql, type Kysely } from 'kysely';

const INGEST_ITEM = `CREATE OR REPLACE FUNCTION vigil.ingest_item(d vigil.devices, p_kind text, p jsonb) RETURNS uuid
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
  END $$`;

/** 0007's definition, as this migration found it. */
const INGEST_ITEM_0007 = `CREATE OR REPLACE FUNCTION vigil.ingest_item(d vigil.devices, p_kind text, p jsonb) RETURNS uuid
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
  END $$`;

const VISIBLE = `session_id IN (SELECT vigil.visible_session_ids(current_user))`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE vigil.sessions ADD COLUMN video_started_at timestamptz,
    ADD COLUMN poster_sha256 bytea CHECK (poster_sha256 IS NULL OR length(poster_sha256) = 32)`);
  await run(INGEST_ITEM);

  await run(`CREATE TABLE vigil.report_versions (
    session_id uuid NOT NULL REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    report_id text NOT NULL CHECK (length(report_id) BETWEEN 1 AND 100),
    version integer NOT NULL CHECK (version >= 1),
    reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 100),
    sha256 bytea NOT NULL CHECK (length(sha256) = 32),
    filed_by text NOT NULL CHECK (filed_by IN ('device', 'console')),
    filed_by_user uuid REFERENCES vigil.users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, report_id)
  )`);
  await run(`ALTER TABLE vigil.report_versions ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE vigil.report_versions FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY privileged ON vigil.report_versions FOR ALL TO vigil_owner, vigil_admin
    USING (true) WITH CHECK (true)`);
  await run(
    `CREATE POLICY proctor_read ON vigil.report_versions FOR SELECT TO vigil_proctor USING (${VISIBLE})`,
  );
  await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON vigil.report_versions TO vigil_admin`);
  await run(`GRANT SELECT ON vigil.report_versions TO vigil_proctor`);

  // The device's versions: its chain event names the version, its PDF arrives as a blob.
  await run(`CREATE FUNCTION vigil.list_device_report() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
      IF NEW.payload->>'reportId' IS NULL OR NEW.payload->>'sha256' !~ '^[0-9a-f]{64}$' THEN RETURN NULL; END IF;
      INSERT INTO vigil.report_versions(session_id, report_id, version, reason, sha256, filed_by, created_at)
      VALUES (NEW.session_id, left(NEW.payload->>'reportId', 100),
              greatest(coalesce((NEW.payload->>'version')::integer, 1), 1),
              left(coalesce(NEW.payload->>'reason', ''), 100), decode(NEW.payload->>'sha256', 'hex'), 'device',
              least(NEW.occurred_at, now()))
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.list_device_report() FROM PUBLIC`);
  await run(`CREATE TRIGGER list_device_report AFTER INSERT ON vigil.events
    FOR EACH ROW WHEN (NEW.kind = 'report_generated') EXECUTE FUNCTION vigil.list_device_report()`);

  // The console's versions, filed on the proctor's or admin's own login: only for a session that
  // login may see, audited like a verdict.
  await run(`CREATE FUNCTION vigil.file_report(p_session uuid, p_report_id text, p_version integer,
      p_reason text, p_pdf bytea) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE v_user uuid; v_blob uuid; v_sha bytea := sha256(p_pdf);
    BEGIN
      IF NOT (pg_has_role(session_user, 'vigil_admin', 'MEMBER')
              OR p_session IN (SELECT vigil.visible_session_ids(session_user))) THEN
        RAISE EXCEPTION 'session % is not among the exams assigned to you', p_session USING ERRCODE = 'VG403';
      END IF;
      IF NOT EXISTS (SELECT 1 FROM vigil.sessions WHERE id = p_session) THEN
        RAISE EXCEPTION 'there is no session %', p_session USING ERRCODE = 'VG403';
      END IF;
      IF p_pdf IS NULL OR length(p_pdf) = 0 OR length(p_pdf) > 64 * 1024 * 1024 THEN
        RAISE EXCEPTION 'a report PDF must be between 1 byte and 64 MiB' USING ERRCODE = 'VG400';
      END IF;
      SELECT u.id INTO v_user FROM vigil.users u WHERE u.pg_role = session_user;
      IF NOT EXISTS (SELECT 1 FROM vigil.blobs b WHERE b.session_id = p_session AND b.sha256 = v_sha
                     AND b.status = 'complete') THEN
        v_blob := gen_random_uuid();
        INSERT INTO vigil.blobs(id, session_id, device_id, kind, sha256, size, content_type, received, status,
                                completed_at)
        VALUES (v_blob, p_session, NULL, 'pdf', v_sha, length(p_pdf), 'application/pdf', length(p_pdf),
                'complete', now());
        INSERT INTO vigil.blob_chunks(blob_id, "offset", sha256, data) VALUES (v_blob, 0, v_sha, p_pdf);
      END IF;
      INSERT INTO vigil.report_versions(session_id, report_id, version, reason, sha256, filed_by, filed_by_user)
      VALUES (p_session, p_report_id, p_version, coalesce(p_reason, ''), v_sha, 'console', v_user)
      ON CONFLICT DO NOTHING;
      INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
      VALUES (session_user, v_user, 'file_report', 'report_versions', p_session::text,
              jsonb_build_object('reportId', p_report_id, 'version', p_version, 'reason', p_reason,
                                 'sha256', encode(v_sha, 'hex')));
      RETURN jsonb_build_object('reportId', p_report_id, 'sha256', encode(v_sha, 'hex'));
    END $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.file_report(uuid, text, integer, text, bytea) FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.file_report(uuid, text, integer, text, bytea)
    TO vigil_proctor, vigil_admin`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP FUNCTION vigil.file_report(uuid, text, integer, text, bytea)`);
  await run(`DROP TRIGGER list_device_report ON vigil.events`);
  await run(`DROP FUNCTION vigil.list_device_report()`);
  await run(`DROP TABLE vigil.report_versions`);
  await run(INGEST_ITEM_0007);
  await run(`ALTER TABLE vigil.sessions DROP COLUMN poster_sha256, DROP COLUMN video_started_at`);
}
