// Central PostgreSQL: recordings of any length. The fixed 512 MiB ceiling of blob_begin becomes a
// setting (`vigil.central_settings.max_blob_bytes`, default 4 GiB: about 8 hours at the recorder's
// default 1.064 Mbit/s), handed to devices with the exam (fetch_exam → `maxBlobBytes`) so a device
// refuses an exam whose recording could not be filed BEFORE it starts recording.
// blob_finish checked the whole sha256 by aggregating every chunk into one bytea: a PostgreSQL value
// holds at most 1 GB, so a 3-hour recording could never finish. PostgreSQL has no incremental
// sha256, so the whole-file check stays for blobs up to 512 MiB (everything the old ceiling let in
// keeps exactly its old check); a larger blob is accepted on its per-chunk sha256 (each checked by
// blob_chunk on arrival) and contiguous offsets, and says so (`whole_hash_verified = false`).
import { sql, type Kysely } from 'kysely';

const BLOB_BEGIN = `CREATE OR REPLACE FUNCTION vigil.blob_begin(p_token text, p jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE d vigil.devices := vigil.device_auth(p_token); s vigil.sessions; b vigil.blobs;
    v_max bigint := (SELECT max_blob_bytes FROM vigil.central_settings);
  BEGIN
    s := vigil.device_session(d, (p->>'sessionId')::uuid);
    IF (p->>'size')::bigint < 0 THEN
      RAISE EXCEPTION 'blob size is negative' USING ERRCODE = 'VG400';
    END IF;
    IF (p->>'size')::bigint > v_max THEN
      RAISE EXCEPTION 'blob of % bytes is larger than this server accepts (% bytes)', p->>'size', v_max
        USING ERRCODE = 'VG413', DETAIL = v_max::text,
              HINT = 'An administrator raises vigil.central_settings.max_blob_bytes.';
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
  END $$`;

const BLOB_BEGIN_0005 = `CREATE OR REPLACE FUNCTION vigil.blob_begin(p_token text, p jsonb) RETURNS jsonb
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
  END $$`;

const finish = (
  wholeCheck: boolean,
) => `CREATE OR REPLACE FUNCTION vigil.blob_finish(p_token text, p_blob uuid)
  RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
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
      ${
        wholeCheck
          ? `IF b.size <= 536870912 THEN
        SELECT sha256(coalesce(string_agg(c.data, ''::bytea ORDER BY c."offset"), ''::bytea)) INTO v_hash
        FROM vigil.blob_chunks c WHERE c.blob_id = p_blob;
      ELSE
        v_hash := b.sha256;
      END IF;`
          : `SELECT sha256(coalesce(string_agg(c.data, ''::bytea ORDER BY c."offset"), ''::bytea)) INTO v_hash
      FROM vigil.blob_chunks c WHERE c.blob_id = p_blob;`
      }
      IF v_hash <> b.sha256 THEN
        -- Start over: the chunks on file do not add up to the announced file.
        DELETE FROM vigil.blob_chunks WHERE blob_id = p_blob;
        UPDATE vigil.blobs SET received = 0 WHERE id = p_blob;
        RAISE EXCEPTION 'blob % does not match its sha256; upload it again', p_blob USING ERRCODE = 'VG422', DETAIL = '0';
      END IF;
      UPDATE vigil.blobs SET status = 'complete', completed_at = now()${
        wholeCheck ? ', whole_hash_verified = (b.size <= 536870912)' : ''
      } WHERE id = p_blob RETURNING * INTO b;
    END IF;
    RETURN jsonb_build_object('id', b.id, 'sha256', encode(b.sha256, 'hex'), 'size', b.size,
                              'completedAt', b.completed_at);
  END $$`;

const fetchExam = (
  withLimit: boolean,
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
                         ELSE jsonb_build_object('title', j.title, 'description', j.description) END${
                           withLimit
                             ? `,
      'maxBlobBytes', (SELECT cs.max_blob_bytes FROM vigil.central_settings cs)`
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
  const run = (text: string) => sql.raw(text).execute(db);
  // One row: settings of this central server that devices must respect.
  await run(`CREATE TABLE vigil.central_settings (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    max_blob_bytes bigint NOT NULL DEFAULT 4294967296 CHECK (max_blob_bytes > 0),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
  await run(`INSERT INTO vigil.central_settings DEFAULT VALUES`);
  // Same access model as every table of 0004: admins manage, proctors read, devices nothing.
  await run(`ALTER TABLE vigil.central_settings ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE vigil.central_settings FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY privileged ON vigil.central_settings FOR ALL TO vigil_owner, vigil_admin
    USING (true) WITH CHECK (true)`);
  await run(`CREATE POLICY proctor_read ON vigil.central_settings FOR SELECT TO vigil_proctor USING (true)`);
  await run(`GRANT SELECT, UPDATE ON vigil.central_settings TO vigil_admin`);
  await run(`GRANT SELECT ON vigil.central_settings TO vigil_proctor`);
  await run(`ALTER TABLE vigil.blobs ADD COLUMN whole_hash_verified boolean NOT NULL DEFAULT true`);
  // CREATE OR REPLACE keeps 0005's REVOKE FROM PUBLIC / GRANT TO vigil_device.
  await run(BLOB_BEGIN);
  await run(finish(true));
  await run(fetchExam(true));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(fetchExam(false));
  await run(finish(false));
  await run(BLOB_BEGIN_0005);
  await run(`ALTER TABLE vigil.blobs DROP COLUMN whole_hash_verified`);
  await run(`DROP TABLE vigil.central_settings`);
}
