// Central PostgreSQL: exam content at rest on the device (issue 18 item 4). The device caches its
// exam so it can run offline, but the candidate owns that cache: they could read the questions
// before the start, or edit the policy. So fetch_exam now hands out the questions, policy,
// resume and job listing *sealed* with a per-exam content key (AES-256-CBC, then HMAC-SHA256 over
// version, IV and ciphertext: encrypt-then-MAC, because pgcrypto has no AEAD mode), next to the
// plain facts the exam list needs (title, window, length). The key never leaves the server except:
// - online: vigil.release_exam_key(token, exam) returns it while the exam's window is open (server
//   time), and the device keeps it in memory only;
// - offline start: an admin issues a start code (`vigil admin start-code`), which the proctor hands
//   out in the room; the admin service wraps the content key with a key derived from that code
//   (scrypt, AES-256-GCM, in Node: pgcrypto has no scrypt) and stores the wrap here; fetch_exam adds
//   it to the cache. Without the code the wrap is useless.
// The enc and MAC keys are derived from the content key with HMAC-SHA256 ('vigil exam enc' /
// 'vigil exam mac'), so one 32-byte key per exam is all there is to keep and release.
// The device must not read the keys: vigil.exam_keys is readable by admins only (they issue start
// codes); the device login has no table privileges at all, only EXECUTE on its functions.
import { sql, type Kysely } from 'kysely';

const FETCH_EXAM = `CREATE OR REPLACE FUNCTION vigil.fetch_exam(p_token text) RETURNS jsonb
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
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
      'maxBlobBytes', (SELECT cs.max_blob_bytes FROM vigil.central_settings cs)),
      jsonb_build_object('id', e.id, 'title', e.title, 'type', e.type, 'difficulty', e.difficulty,
      'retentionDays', e.retention_days, 'uploadMode', e.upload_mode,
      'maxBlobBytes', (SELECT cs.max_blob_bytes FROM vigil.central_settings cs),
      'questionCount', jsonb_array_length(e.key_questions),
      'totalTimeS', (SELECT coalesce(sum((q->>'time_limit_s')::int), 0)
                     FROM jsonb_array_elements(e.key_questions) q),
      'accommodations', coalesce(e.policy->'accommodations', '[]'::jsonb),
      'opensAt', e.opens_at, 'closesAt', e.closes_at,
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
  END $$`;

// The key while the window is open, by the server's clock; a refusal says why and when.
const RELEASE_EXAM_KEY = `CREATE FUNCTION vigil.release_exam_key(p_token text, p_exam uuid) RETURNS jsonb
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE d vigil.devices := vigil.device_auth(p_token); e vigil.exams; k bytea;
  BEGIN
    IF d.exam_id IS DISTINCT FROM p_exam THEN
      RAISE EXCEPTION 'this device is not enrolled for exam %', p_exam USING ERRCODE = 'VG403',
        DETAIL = 'not_enrolled';
    END IF;
    SELECT * INTO e FROM vigil.exams WHERE id = p_exam;
    IF e.opens_at IS NOT NULL AND now() < e.opens_at THEN
      RAISE EXCEPTION 'the exam opens at %', e.opens_at USING ERRCODE = 'VG403',
        DETAIL = 'not_open ' || to_char(e.opens_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    END IF;
    IF e.closes_at IS NOT NULL AND now() >= e.closes_at THEN
      RAISE EXCEPTION 'the exam closed at %', e.closes_at USING ERRCODE = 'VG403',
        DETAIL = 'closed ' || to_char(e.closes_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    END IF;
    SELECT content_key INTO k FROM vigil.exam_keys WHERE exam_id = p_exam;
    RETURN jsonb_build_object('key', encode(k, 'base64'), 'serverTime', now());
  END $$`;

const NEW_EXAM_KEY = `CREATE FUNCTION vigil.new_exam_key() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    INSERT INTO vigil.exam_keys (exam_id, content_key) VALUES (NEW.id, vigil_crypto.gen_random_bytes(32));
    RETURN NULL;
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  // Its own schema, so pgcrypto's functions are not on any role's path and not in `vigil`.
  await run(`CREATE SCHEMA vigil_crypto`);
  await run(`CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA vigil_crypto`);
  await run(`ALTER TABLE vigil.exams ADD COLUMN opens_at timestamptz, ADD COLUMN closes_at timestamptz,
    ADD CONSTRAINT exams_window CHECK (closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at)`);
  await run(`CREATE TABLE vigil.exam_keys (
    exam_id uuid PRIMARY KEY REFERENCES vigil.exams(id) ON DELETE CASCADE,
    content_key bytea NOT NULL CHECK (length(content_key) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
  )`);
  await run(`INSERT INTO vigil.exam_keys (exam_id, content_key)
    SELECT id, vigil_crypto.gen_random_bytes(32) FROM vigil.exams`);
  await run(`CREATE TABLE vigil.exam_start_codes (
    exam_id uuid PRIMARY KEY REFERENCES vigil.exams(id) ON DELETE CASCADE,
    salt bytea NOT NULL CHECK (length(salt) = 16),
    wrapped_key bytea NOT NULL CHECK (length(wrapped_key) = 60),
    issued_by uuid REFERENCES vigil.users(id) ON DELETE SET NULL,
    issued_at timestamptz NOT NULL DEFAULT now()
  )`);
  // Like every table in vigil: row-level security, FORCEd; the owner's functions and admins only.
  for (const table of ['exam_keys', 'exam_start_codes']) {
    await run(`ALTER TABLE vigil.${table} ENABLE ROW LEVEL SECURITY`);
    await run(`ALTER TABLE vigil.${table} FORCE ROW LEVEL SECURITY`);
    await run(`CREATE POLICY privileged ON vigil.${table} FOR ALL TO vigil_owner, vigil_admin
      USING (true) WITH CHECK (true)`);
  }
  await run(`GRANT SELECT ON vigil.exam_keys TO vigil_admin`);
  await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON vigil.exam_start_codes TO vigil_admin`);
  await run(NEW_EXAM_KEY);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.new_exam_key() FROM PUBLIC`);
  await run(`CREATE TRIGGER new_exam_key AFTER INSERT ON vigil.exams FOR EACH ROW
    EXECUTE FUNCTION vigil.new_exam_key()`);
  await run(FETCH_EXAM);
  await run(RELEASE_EXAM_KEY);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.release_exam_key(text, uuid) FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.release_exam_key(text, uuid) TO vigil_device`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP FUNCTION vigil.release_exam_key(text, uuid)`);
  await run(`DROP TRIGGER new_exam_key ON vigil.exams`);
  await run(`DROP FUNCTION vigil.new_exam_key()`);
  await run(`DROP TABLE vigil.exam_start_codes`);
  await run(`DROP TABLE vigil.exam_keys`);
  await run(
    `ALTER TABLE vigil.exams DROP CONSTRAINT exams_window, DROP COLUMN opens_at, DROP COLUMN closes_at`,
  );
  // fetch_exam as 0301 left it: the plaintext definition.
  await run(`CREATE OR REPLACE FUNCTION vigil.fetch_exam(p_token text) RETURNS jsonb
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
      'maxBlobBytes', (SELECT cs.max_blob_bytes FROM vigil.central_settings cs))
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
  END $$`);
  await run(`DROP EXTENSION IF EXISTS pgcrypto`);
  await run(`DROP SCHEMA vigil_crypto`);
}
