// Central PostgreSQL: a finished session is fixed against its device (issue 18 item 2). The candidate
// owns the device and its token stays valid for weeks, so without this a device could rewrite its
// answers, its evaluation, its risk or its status after the exam, even after a proctor decided.
// A BEFORE trigger judges every device write (a statement whose login is a member of vigil_device,
// whatever ingest path it took) against the session it touches:
// - after a proctor decision, nothing of the device changes the session (no row is added or changed);
// - once the session is finished (status is no longer in_progress), its status, end, risk and ID
//   result are fixed; the media links (merged video, poster) may be filled once; answers and the
//   evaluation's scores stay as first stored (a spoken answer's missing transcript may be filled in);
//   questions, messages and warnings that arrive late (written offline before the finish) are taken
//   only if their time is not after the session's end (5 s of slack for the closing write);
//   chain events keep arriving (they are verified by their hashes and position).
// A refusal is a check_violation, so both ingest paths answer it as a 'rejected' receipt with the
// reason; a second trigger files each such receipt in vigil.device_refusals under its session, where
// the proctor's console reads it.
import { sql, type Kysely } from 'kysely';

const FREEZE = `CREATE FUNCTION vigil.freeze_device_writes() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    s vigil.sessions;
    v_end timestamptz;
    v_problem text;
  BEGIN
    IF NOT pg_has_role(session_user, 'vigil_device', 'MEMBER') THEN RETURN NEW; END IF;
    IF TG_TABLE_NAME = 'sessions' THEN
      IF TG_OP = 'INSERT' THEN RETURN NEW; END IF;
      s := OLD;
    ELSE
      SELECT * INTO s FROM vigil.sessions WHERE id = NEW.session_id;
      IF NOT FOUND THEN RETURN NEW; END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM vigil.session_decisions d WHERE d.session_id = s.id) THEN
      RAISE EXCEPTION 'session % has a proctor decision; the device can no longer change it (%)',
        s.id, TG_TABLE_NAME USING ERRCODE = 'check_violation';
    END IF;
    IF s.status = 'in_progress' OR TG_TABLE_NAME = 'events' THEN RETURN NEW; END IF;
    v_end := coalesce(s.ended_at, now()) + interval '5 seconds';
    CASE TG_TABLE_NAME
    WHEN 'sessions' THEN
      IF NEW.status IS DISTINCT FROM OLD.status OR NEW.ended_at IS DISTINCT FROM OLD.ended_at THEN
        v_problem := 'its status and end are fixed';
      ELSIF NEW.risk_score IS DISTINCT FROM OLD.risk_score OR NEW.risk_factors IS DISTINCT FROM OLD.risk_factors THEN
        v_problem := 'its risk is fixed';
      ELSIF NEW.id_verification_status IS DISTINCT FROM OLD.id_verification_status
            OR NEW.id_details IS DISTINCT FROM OLD.id_details
            OR NEW.id_image_sha256 IS DISTINCT FROM OLD.id_image_sha256 THEN
        v_problem := 'its ID result is fixed';
      ELSIF (OLD.video_sha256 IS NOT NULL AND NEW.video_sha256 IS DISTINCT FROM OLD.video_sha256)
            OR (OLD.video_started_at IS NOT NULL AND NEW.video_started_at IS DISTINCT FROM OLD.video_started_at)
            OR (OLD.poster_sha256 IS NOT NULL AND NEW.poster_sha256 IS DISTINCT FROM OLD.poster_sha256) THEN
        v_problem := 'its recording links are fixed once filed';
      END IF;
    WHEN 'questions' THEN
      IF TG_OP = 'INSERT' AND (NEW.asked_at > v_end OR NEW.answered_at > v_end) THEN
        v_problem := 'a question asked or answered after its end';
      ELSIF TG_OP = 'UPDATE' AND (
            NEW.text IS DISTINCT FROM OLD.text OR NEW.ordinal IS DISTINCT FROM OLD.ordinal
            OR NEW.asked_at IS DISTINCT FROM OLD.asked_at
            OR (OLD.answered_at IS NOT NULL AND NEW.answered_at IS DISTINCT FROM OLD.answered_at)
            OR NEW.answered_at > v_end
            OR (OLD.answer_audio_sha256 IS NOT NULL AND NEW.answer_audio_sha256 IS DISTINCT FROM OLD.answer_audio_sha256)
            OR (OLD.answer_text IS NOT NULL AND NEW.answer_text IS DISTINCT FROM OLD.answer_text)
            OR (OLD.answer_text IS NULL AND NEW.answer_text IS NOT NULL AND OLD.answer_audio_sha256 IS NULL)) THEN
        v_problem := 'its answers are fixed';
      END IF;
    WHEN 'messages' THEN
      IF NEW.created_at > v_end THEN v_problem := 'a message written after its end'; END IF;
    WHEN 'warnings' THEN
      IF NEW.source = 'device' AND (NEW.started_at > v_end OR NEW.ended_at > v_end) THEN
        v_problem := 'a warning after its end';
      END IF;
    WHEN 'evaluations' THEN
      IF TG_OP = 'UPDATE' AND (
            NEW.professionalism IS DISTINCT FROM OLD.professionalism
            OR NEW.subject_knowledge IS DISTINCT FROM OLD.subject_knowledge
            OR NEW.clarity IS DISTINCT FROM OLD.clarity OR NEW.overall IS DISTINCT FROM OLD.overall
            OR NEW.traits IS DISTINCT FROM OLD.traits OR NEW.suggestions IS DISTINCT FROM OLD.suggestions
            OR NEW.feedback IS DISTINCT FROM OLD.feedback
            OR NEW.question_responses IS DISTINCT FROM OLD.question_responses
            OR NEW.evaluator IS DISTINCT FROM OLD.evaluator
            OR (OLD.pdf_sha256 IS NOT NULL AND NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256)) THEN
        v_problem := 'its evaluation is fixed once filed';
      END IF;
    ELSE
      NULL;
    END CASE;
    IF v_problem IS NOT NULL THEN
      RAISE EXCEPTION 'session % is finished; %', s.id, v_problem USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $$`;

const FILE_REFUSAL = `CREATE FUNCTION vigil.file_device_refusal() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_session uuid;
  BEGIN
    v_session := substring(NEW.reason FROM
      '^session ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) (?:is finished|has a proctor decision)')::uuid;
    IF v_session IS NOT NULL AND EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.id = v_session) THEN
      INSERT INTO vigil.device_refusals(session_id, device_id, idempotency_key, kind, reason)
      VALUES (v_session, NEW.device_id, NEW.idempotency_key, NEW.kind, NEW.reason);
    END IF;
    RETURN NULL;
  END $$`;

const FROZEN = ['sessions', 'questions', 'messages', 'warnings', 'evaluations', 'events'];
const VISIBLE = `session_id IN (SELECT vigil.visible_session_ids(current_user))`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`CREATE TABLE vigil.device_refusals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    device_id uuid REFERENCES vigil.devices(id) ON DELETE SET NULL,
    idempotency_key text NOT NULL,
    kind text NOT NULL,
    reason text NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp()
  )`);
  await run(`CREATE INDEX device_refusals_session ON vigil.device_refusals (session_id, at)`);
  await run(`ALTER TABLE vigil.device_refusals ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE vigil.device_refusals FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY privileged ON vigil.device_refusals FOR ALL TO vigil_owner, vigil_admin
    USING (true) WITH CHECK (true)`);
  await run(
    `CREATE POLICY proctor_read ON vigil.device_refusals FOR SELECT TO vigil_proctor USING (${VISIBLE})`,
  );
  await run(`GRANT SELECT ON vigil.device_refusals TO vigil_admin, vigil_proctor`);
  await run(FREEZE);
  await run(FILE_REFUSAL);
  for (const fn of ['freeze_device_writes()', 'file_device_refusal()'])
    await run(`REVOKE EXECUTE ON FUNCTION vigil.${fn} FROM PUBLIC`);
  // "b_" so the server's own stamping (a_server_time) runs first where a table has both.
  for (const table of FROZEN)
    await run(`CREATE TRIGGER b_freeze_device_writes BEFORE INSERT OR UPDATE ON vigil.${table}
      FOR EACH ROW EXECUTE FUNCTION vigil.freeze_device_writes()`);
  await run(`CREATE TRIGGER file_device_refusal AFTER UPDATE OF status ON vigil.ingest_receipts
    FOR EACH ROW WHEN (NEW.status = 'rejected') EXECUTE FUNCTION vigil.file_device_refusal()`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP TRIGGER file_device_refusal ON vigil.ingest_receipts`);
  for (const table of FROZEN) await run(`DROP TRIGGER b_freeze_device_writes ON vigil.${table}`);
  await run(`DROP FUNCTION vigil.file_device_refusal()`);
  await run(`DROP FUNCTION vigil.freeze_device_writes()`);
  await run(`DROP TABLE vigil.device_refusals`);
}
