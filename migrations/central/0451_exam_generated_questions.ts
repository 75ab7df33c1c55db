// Central PostgreSQL: an exam's generated questions are made once by the worker (issue 18 item 1),
// with the worker's AI key, and handed to every device with the exam (fetch_exam, migration 0452),
// so a candidate device never needs a key and every candidate of an exam gets the same list.
//
// The questions depend on what the admin set: the exam's type and difficulty, the number asked for
// (`generatedQuestions` in its policy, a whole number, at most 20: the device's
// generatedQuestionCount) and its resume and job listing. `vigil.question_basis(exam)` is that
// basis; the stored list keeps the basis it was made from, and counts only while the exam still has
// it: creating an exam that asks for generated questions, or changing its basis, requests
// `questions` for the exam in the same transaction (0410's way: a worker_requests row and a NOTIFY).
// Exams on file that ask for them are requested now (one AI call per exam).
import { sql, type Kysely } from 'kysely';

const BASIS = `CREATE FUNCTION vigil.question_basis(e vigil.exams) RETURNS jsonb
  LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_build_object('type', e.type, 'difficulty', e.difficulty,
      'count', CASE WHEN jsonb_typeof(e.policy->'generatedQuestions') = 'number'
                     AND (e.policy->>'generatedQuestions')::numeric > 0
                     AND (e.policy->>'generatedQuestions')::numeric
                         = trunc((e.policy->>'generatedQuestions')::numeric)
                    THEN least((e.policy->>'generatedQuestions')::numeric, 20)::int ELSE 0 END,
      'resumeId', e.resume_id, 'jobListingId', e.job_listing_id)
  $$`;

const REQUEST_ON_EXAM = `CREATE FUNCTION vigil.request_exam_questions() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_basis jsonb := vigil.question_basis(NEW);
  BEGIN
    IF (v_basis->>'count')::int > 0 AND NOT EXISTS (
         SELECT 1 FROM vigil.exam_generated_questions g WHERE g.exam_id = NEW.id AND g.basis = v_basis) THEN
      INSERT INTO vigil.worker_requests(exam_id, kind) VALUES (NEW.id, 'questions') ON CONFLICT DO NOTHING;
      PERFORM pg_notify('vigil_worker', NEW.id::text);
    END IF;
    RETURN NULL;
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`CREATE TABLE vigil.exam_generated_questions (
    exam_id uuid PRIMARY KEY REFERENCES vigil.exams(id) ON DELETE CASCADE,
    basis jsonb NOT NULL,
    questions jsonb NOT NULL CHECK (jsonb_typeof(questions) = 'array'),
    generator text NOT NULL CHECK (generator IN ('ai', 'local')),
    model text,
    generated_by text NOT NULL CHECK (length(generated_by) BETWEEN 1 AND 200),
    job_id text,
    created_at timestamptz NOT NULL DEFAULT now()
  )`);
  await run(BASIS);
  await run(REQUEST_ON_EXAM);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.request_exam_questions() FROM PUBLIC`);
  // The worker checks a stored list against the exam's basis with the same function.
  await run(`GRANT EXECUTE ON FUNCTION vigil.question_basis(vigil.exams) TO vigil_worker`);
  await run(`CREATE TRIGGER exams_request_questions AFTER INSERT OR UPDATE ON vigil.exams
    FOR EACH ROW EXECUTE FUNCTION vigil.request_exam_questions()`);

  await run(`ALTER TABLE vigil.exam_generated_questions ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE vigil.exam_generated_questions FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY privileged ON vigil.exam_generated_questions FOR ALL TO vigil_owner, vigil_admin
    USING (true) WITH CHECK (true)`);
  await run(`CREATE POLICY proctor_read ON vigil.exam_generated_questions FOR SELECT TO vigil_proctor
    USING (exam_id IN (SELECT vigil.visible_exam_ids(current_user)))`);
  await run(`CREATE POLICY worker ON vigil.exam_generated_questions FOR ALL TO vigil_worker
    USING (true) WITH CHECK (true)`);
  await run(`GRANT SELECT, INSERT, UPDATE ON vigil.exam_generated_questions TO vigil_worker`);
  await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON vigil.exam_generated_questions TO vigil_admin`);
  await run(`GRANT SELECT ON vigil.exam_generated_questions TO vigil_proctor`);

  await run(`INSERT INTO vigil.worker_requests(exam_id, kind)
    SELECT e.id, 'questions' FROM vigil.exams e WHERE (vigil.question_basis(e)->>'count')::int > 0`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DELETE FROM vigil.worker_requests WHERE kind = 'questions'`);
  await run(`DROP TRIGGER exams_request_questions ON vigil.exams`);
  await run(`DROP FUNCTION vigil.request_exam_questions()`);
  await run(`DROP TABLE vigil.exam_generated_questions`);
  await run(`DROP FUNCTION vigil.question_basis(vigil.exams)`);
}
