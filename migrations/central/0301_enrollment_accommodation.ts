// Central PostgreSQL: accommodations belong to a candidate, not to the whole exam. An enrollment may
// name one of its exam's accommodation profiles; fetch_exam then hands the device the exam policy with
// `accommodation` set to that profile, so timers, breaks and detectors follow the candidate (offline
// too: the device caches what fetch_exam returns). Triggers keep the name pointing at a real profile:
// a CHECK cannot see the exam's list.
import { sql, type Kysely } from 'kysely';

// 0005's body, output unchanged, except that `policy` carries the enrollment's profile when it has one.
const FETCH_EXAM = `CREATE OR REPLACE FUNCTION vigil.fetch_exam(p_token text) RETURNS jsonb
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
                         ELSE jsonb_build_object('title', j.title, 'description', j.description) END)
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

const FETCH_EXAM_0005 = `CREATE OR REPLACE FUNCTION vigil.fetch_exam(p_token text) RETURNS jsonb
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
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE vigil.enrollments ADD COLUMN accommodation text NULL
    CHECK (accommodation IS NULL OR length(accommodation) BETWEEN 1 AND 100)`);

  // The enrollment's profile must be one of its exam's (SQLSTATE 23514, like a CHECK).
  await run(`CREATE FUNCTION vigil.check_enrollment_accommodation() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE known jsonb;
    BEGIN
      IF NEW.accommodation IS NULL THEN RETURN NEW; END IF;
      SELECT e.accommodation_profiles INTO known FROM vigil.exams e WHERE e.id = NEW.exam_id;
      IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(known, '[]')) p
                     WHERE p->>'name' = NEW.accommodation) THEN
        RAISE EXCEPTION 'accommodation profile "%" is not one of the exam''s profiles', NEW.accommodation
          USING ERRCODE = '23514', DETAIL = coalesce((SELECT string_agg(p->>'name', ', ')
                                                       FROM jsonb_array_elements(known) p), '');
      END IF;
      RETURN NEW;
    END $$`);
  await run(`CREATE TRIGGER check_accommodation BEFORE INSERT OR UPDATE OF accommodation, exam_id
    ON vigil.enrollments FOR EACH ROW EXECUTE FUNCTION vigil.check_enrollment_accommodation()`);

  // An exam may not drop (or rename) a profile that enrolled candidates still hold.
  await run(`CREATE FUNCTION vigil.check_exam_accommodations() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE missing text;
    BEGIN
      SELECT en.accommodation INTO missing FROM vigil.enrollments en
      WHERE en.exam_id = NEW.id AND en.accommodation IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(NEW.accommodation_profiles) p
                        WHERE p->>'name' = en.accommodation)
      LIMIT 1;
      IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'accommodation profile "%" is still given to enrolled candidates', missing
          USING ERRCODE = '23514';
      END IF;
      RETURN NEW;
    END $$`);
  await run(`CREATE TRIGGER check_accommodations BEFORE UPDATE OF accommodation_profiles
    ON vigil.exams FOR EACH ROW EXECUTE FUNCTION vigil.check_exam_accommodations()`);
  for (const fn of ['check_enrollment_accommodation()', 'check_exam_accommodations()'])
    await run(`REVOKE EXECUTE ON FUNCTION vigil.${fn} FROM PUBLIC`);

  // CREATE OR REPLACE keeps 0005's REVOKE FROM PUBLIC / GRANT TO vigil_device.
  await run(FETCH_EXAM);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(FETCH_EXAM_0005);
  await run(`DROP TRIGGER check_accommodations ON vigil.exams`);
  await run(`DROP TRIGGER check_accommodation ON vigil.enrollments`);
  await run(`DROP FUNCTION vigil.check_exam_accommodations()`);
  await run(`DROP FUNCTION vigil.check_enrollment_accommodation()`);
  await run(`ALTER TABLE vigil.enrollments DROP COLUMN accommodation`);
}
