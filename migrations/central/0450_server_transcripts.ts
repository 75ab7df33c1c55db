// Central PostgreSQL: the worker transcribes spoken answers (issue 18 item 1), so a candidate device
// needs no AI key and the transcript the server evaluates is not one the device wrote. The device's
// transcript stays in questions.answer_text as it sent it (advisory); the server's is a row of
// `server_transcripts`, one per answer and audio (a re-recorded answer has a new hash and gets a new
// transcript), `done` with its text or `failed` with the reason (no transcription model on the
// worker, audio the provider refuses), so the evaluation never waits on a transcript that cannot come.
//
// Work is requested as for 0410, in the transaction that makes it due: a spoken answer is due when
// both its question row (with the audio's hash) and its audio blob (complete) are on the server,
// whichever arrives last; the request is per session (`transcribe`), the job transcribes every due
// answer of it. A transcript filed on a finished session that has no server evaluation requests
// the evaluation again: the evaluation job waits (files nothing) while a spoken answer of its session
// has no server transcript, so the transcript that completes the set is what lets it run.
//
// worker_requests also takes requests about an exam (`questions`: the worker generates an exam's
// questions, migration 0451): a request names a session or an exam, never both, one per subject and
// kind.
import { sql, type Kysely } from 'kysely';

const REQUEST_ON_AUDIO = `CREATE FUNCTION vigil.request_transcription() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    IF TG_TABLE_NAME = 'blobs' THEN
      IF NOT EXISTS (SELECT 1 FROM vigil.questions q
                     WHERE q.session_id = NEW.session_id AND q.answer_audio_sha256 = NEW.sha256) THEN
        RETURN NULL;
      END IF;
    ELSE
      IF TG_OP = 'UPDATE' AND NEW.answer_audio_sha256 IS NOT DISTINCT FROM OLD.answer_audio_sha256 THEN
        RETURN NULL;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM vigil.blobs b
                     WHERE b.session_id = NEW.session_id AND b.kind = 'audio'
                       AND b.sha256 = NEW.answer_audio_sha256 AND b.status = 'complete') THEN
        RETURN NULL;
      END IF;
    END IF;
    INSERT INTO vigil.worker_requests(session_id, kind) VALUES (NEW.session_id, 'transcribe')
    ON CONFLICT DO NOTHING;
    PERFORM pg_notify('vigil_worker', NEW.session_id::text);
    RETURN NULL;
  END $$`;

const REQUEST_EVALUATION_ON_TRANSCRIPT = `CREATE FUNCTION vigil.request_evaluation_on_transcript()
  RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.id = NEW.session_id AND s.status <> 'in_progress')
       AND NOT EXISTS (SELECT 1 FROM vigil.server_evaluations e WHERE e.session_id = NEW.session_id) THEN
      INSERT INTO vigil.worker_requests(session_id, kind) VALUES (NEW.session_id, 'evaluate')
      ON CONFLICT DO NOTHING;
      PERFORM pg_notify('vigil_worker', NEW.session_id::text);
    END IF;
    RETURN NULL;
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE vigil.worker_requests DROP CONSTRAINT worker_requests_kind_check,
    ADD CONSTRAINT worker_requests_kind_check CHECK (kind IN ('evaluate', 'risk', 'report', 'transcribe', 'questions'))`);
  await run(`ALTER TABLE vigil.worker_requests DROP CONSTRAINT worker_requests_pkey`);
  await run(`ALTER TABLE vigil.worker_requests ALTER COLUMN session_id DROP NOT NULL`);
  await run(`ALTER TABLE vigil.worker_requests
    ADD COLUMN exam_id uuid REFERENCES vigil.exams(id) ON DELETE CASCADE`);
  await run(`ALTER TABLE vigil.worker_requests ADD CONSTRAINT worker_requests_one_subject
    CHECK ((session_id IS NULL) <> (exam_id IS NULL))`);
  // One request per subject and kind, as the primary key was (NULLs are distinct, so each index
  // holds only its own subject's rows); not partial, so ON CONFLICT (session_id, kind) still infers it.
  await run(`ALTER TABLE vigil.worker_requests
    ADD CONSTRAINT worker_requests_session_kind UNIQUE (session_id, kind),
    ADD CONSTRAINT worker_requests_exam_kind UNIQUE (exam_id, kind)`);

  await run(`CREATE TABLE vigil.server_transcripts (
    question_id uuid NOT NULL REFERENCES vigil.questions(id) ON DELETE CASCADE,
    audio_sha256 bytea NOT NULL CHECK (length(audio_sha256) = 32),
    session_id uuid NOT NULL REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('done', 'failed')),
    text text,
    reason text,
    model text,
    transcribed_by text NOT NULL CHECK (length(transcribed_by) BETWEEN 1 AND 200),
    job_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (question_id, audio_sha256),
    CONSTRAINT server_transcripts_explained CHECK (
      (status = 'done' AND text IS NOT NULL) OR (status = 'failed' AND reason IS NOT NULL))
  )`);
  await run(`CREATE INDEX server_transcripts_session ON vigil.server_transcripts(session_id)`);

  await run(REQUEST_ON_AUDIO);
  await run(REQUEST_EVALUATION_ON_TRANSCRIPT);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.request_transcription(),
    vigil.request_evaluation_on_transcript() FROM PUBLIC`);
  await run(`CREATE TRIGGER blobs_request_transcription AFTER UPDATE OF status ON vigil.blobs
    FOR EACH ROW WHEN (NEW.kind = 'audio' AND NEW.status = 'complete' AND OLD.status <> 'complete')
    EXECUTE FUNCTION vigil.request_transcription()`);
  await run(`CREATE TRIGGER questions_request_transcription
    AFTER INSERT OR UPDATE OF answer_audio_sha256 ON vigil.questions
    FOR EACH ROW WHEN (NEW.answer_audio_sha256 IS NOT NULL)
    EXECUTE FUNCTION vigil.request_transcription()`);
  await run(`CREATE TRIGGER server_transcripts_request_evaluation AFTER INSERT ON vigil.server_transcripts
    FOR EACH ROW EXECUTE FUNCTION vigil.request_evaluation_on_transcript()`);

  await run(`ALTER TABLE vigil.server_transcripts ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE vigil.server_transcripts FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY privileged ON vigil.server_transcripts FOR ALL TO vigil_owner, vigil_admin
    USING (true) WITH CHECK (true)`);
  await run(`CREATE POLICY proctor_read ON vigil.server_transcripts FOR SELECT TO vigil_proctor
    USING (session_id IN (SELECT vigil.visible_session_ids(current_user)))`);
  // The worker reads the audio it transcribes; nothing else of the evidence.
  for (const table of ['server_transcripts', 'blobs', 'blob_chunks']) {
    await run(
      `CREATE POLICY worker ON vigil.${table} FOR ALL TO vigil_worker USING (true) WITH CHECK (true)`,
    );
  }
  await run(`GRANT SELECT ON vigil.blobs, vigil.blob_chunks TO vigil_worker`);
  await run(`GRANT SELECT, INSERT ON vigil.server_transcripts TO vigil_worker`);
  await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON vigil.server_transcripts TO vigil_admin`);
  await run(`GRANT SELECT ON vigil.server_transcripts TO vigil_proctor`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  for (const table of ['blobs', 'blob_chunks']) await run(`DROP POLICY worker ON vigil.${table}`);
  await run(`REVOKE ALL ON vigil.blobs, vigil.blob_chunks FROM vigil_worker`);
  await run(`DROP TRIGGER questions_request_transcription ON vigil.questions`);
  await run(`DROP TRIGGER blobs_request_transcription ON vigil.blobs`);
  await run(`DROP TABLE vigil.server_transcripts`);
  await run(`DROP FUNCTION vigil.request_transcription(), vigil.request_evaluation_on_transcript()`);
  await run(
    `DELETE FROM vigil.worker_requests WHERE exam_id IS NOT NULL OR kind NOT IN ('evaluate', 'risk', 'report')`,
  );
  await run(`ALTER TABLE vigil.worker_requests DROP CONSTRAINT worker_requests_exam_kind,
    DROP CONSTRAINT worker_requests_session_kind, DROP CONSTRAINT worker_requests_one_subject`);
  await run(`ALTER TABLE vigil.worker_requests DROP COLUMN exam_id`);
  await run(`ALTER TABLE vigil.worker_requests ALTER COLUMN session_id SET NOT NULL`);
  await run(`ALTER TABLE vigil.worker_requests ADD PRIMARY KEY (session_id, kind)`);
  await run(`ALTER TABLE vigil.worker_requests DROP CONSTRAINT worker_requests_kind_check,
    ADD CONSTRAINT worker_requests_kind_check CHECK (kind IN ('evaluate', 'risk', 'report'))`);
}
