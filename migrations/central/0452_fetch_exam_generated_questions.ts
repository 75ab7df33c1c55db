// Central PostgreSQL: fetch_exam hands the device the exam's generated questions (migration 0451)
// as `generatedQuestions` ({ source, model, questions } or null while the worker has made none for
// the exam as it stands), so the device plans its interview from the server's list and needs no AI
// key. 0400's body otherwise, output unchanged.
import { sql, type Kysely } from 'kysely';

const fetchExam = (
  withQuestions: boolean,
) => `CREATE OR REPLACE FUNCTION vigil.fetch_exam(p_token text) RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE d vigil.devices := vigil.device_auth(p_token); result jsonb;
  BEGIN
    SELECT jsonb_build_object('id', e.id, 'title', e.title, 'type', e.type, 'difficulty', e.difficulty,
      'keyQuestions', e.key_questions,
      'policy', CASE WHEN a.profile IS NULL THEN e.policy
                     ELSE e.policy || jsonb_build_object('accommodation', a.profile) END,
      'retentionDays', e.retention_days,
      'uploadMode', e.upload_mode, 'resumeText', r.content_text,
      'jobListing', CASE WHEN j.id IS NULL THEN NULL
                         ELSE jsonb_build_object('title', j.title, 'description', j.description) END,
      'maxBlobBytes', (SELECT cs.max_blob_bytes FROM vigil.central_settings cs)${
        withQuestions
          ? `,
      'generatedQuestions', (SELECT jsonb_build_object('source', g.generator, 'model', g.model,
                                                       'questions', g.questions)
                             FROM vigil.exam_generated_questions g
                             WHERE g.exam_id = e.id AND g.basis = vigil.question_basis(e))`
          : ''
      })
    INTO result
    FROM vigil.exams e LEFT JOIN vigil.resumes r ON r.id = e.resume_id
    LEFT JOIN vigil.job_listings j ON j.id = e.job_listing_id
    LEFT JOIN vigil.enrollments en ON en.id = d.enrollment_id
    LEFT JOIN LATERAL (
      SELECT p AS profile FROM jsonb_array_elements(e.accommodation_profiles) p
      WHERE en.accommodation IS NOT NULL AND p->>'name' = en.accommodation LIMIT 1
    ) a ON true
    WHERE e.id = d.exam_id;
    RETURN result;
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(fetchExam(true)).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(fetchExam(false)).execute(db);
}
