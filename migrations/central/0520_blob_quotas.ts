// Central PostgreSQL: storage quotas for device uploads (issue 19 item 3). Until now a device could
// file any number of blobs of up to max_blob_bytes each: the candidate owns the device, so a
// modified client could fill the server's disk. blob_begin now counts what the device already
// filed (bytes and blobs, per session and per central device row = enrollment, declared sizes of
// uploads still in progress included, because a begun upload reserves its size and blob_chunk
// never lets it grow past that) and refuses a new blob that would go over the quota with SQLSTATE
// VG507 (DETAIL: JSON with scope, used and limit), which the device files as QUOTA_EXCEEDED and
// keeps the file with its reason. Blobs the server made itself (reports: device_id NULL) count
// against no device.
// The quota is the exam's: `policy.storageQuota` {sessionBytes, sessionBlobs, deviceBytes,
// deviceBlobs} sets it explicitly (each key on its own; anything not a positive integer is
// ignored), else vigil.blob_quota derives it from the exam's length and upload mode:
//   length  = questions at their accommodated limits (the candidate's profile, else the exam's)
//             plus breaks, the same figure the device's recording check uses; generated questions
//             count with their limits (before the worker made them: 600 s each, the generator's cap);
//   margin  = 2 × length + 30 min (ID check, set-up, an interruption and resume);
//   full    = margin × 146 300 B/s (README's default 1.064 Mbit/s + 10 % container overhead)
//             + 64 MiB for snapshots, the ID image and reports;
//   flags_only: a tenth of that rate (poster, snapshots and ±5 s clips around warnings) + 64 MiB;
//   blobs   = 200 + one per 5 s of margin (snapshots, clips, posters);
//   device  = 3 × the session's (an enrollment may hold a few sessions: a restart, a resume).
// An admin raises a quota by editing the exam's policy; the device retries its held files
// (`vigil sync retry`, and at every start of the uploader). Everything already filed stays.
// Not under `lockdown` or `proctoring`: 0434/0461 compare those with what the device applied.
import { sql, type Kysely } from 'kysely';

const BLOB_QUOTA = `CREATE OR REPLACE FUNCTION vigil.blob_quota(p_exam uuid, p_enrollment uuid)
  RETURNS jsonb LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE e vigil.exams; acc jsonb; q jsonb; v_len numeric; v_margin numeric; v_rate numeric;
    v_session_bytes bigint; v_session_blobs bigint; v_gen jsonb; v_gen_len numeric;
  BEGIN
    SELECT * INTO e FROM vigil.exams WHERE id = p_exam;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'exam % does not exist', p_exam USING ERRCODE = 'VG400';
    END IF;
    -- The candidate's accommodation profile, else the exam's own (as fetch_exam hands it out).
    SELECT p INTO acc FROM vigil.enrollments en, jsonb_array_elements(e.accommodation_profiles) p
      WHERE en.id = p_enrollment AND en.accommodation IS NOT NULL AND p->>'name' = en.accommodation LIMIT 1;
    acc := coalesce(acc, CASE WHEN jsonb_typeof(e.policy->'accommodation') = 'object'
                              THEN e.policy->'accommodation' END, '{}'::jsonb);
    SELECT coalesce(sum(ceil(coalesce((x->>'time_limit_s')::numeric, 0)
                             * (100 + coalesce((acc->>'extraTimePercent')::numeric, 0)) / 100)), 0)
      INTO v_len FROM jsonb_array_elements(e.key_questions) x;
    -- Generated questions (central 0451) add theirs: the list the worker made for the exam's basis,
    -- or, before it is made, the most they may take (the count asked for × 600 s, the generator's cap).
    v_gen := vigil.question_basis(e);
    IF (v_gen->>'count')::int > 0 THEN
      SELECT coalesce(sum(ceil(coalesce((x->>'time_limit_s')::numeric, 600)
                               * (100 + coalesce((acc->>'extraTimePercent')::numeric, 0)) / 100)), -1)
        INTO v_gen_len
        FROM vigil.exam_generated_questions g, jsonb_array_elements(g.questions) x
        WHERE g.exam_id = e.id AND g.basis = v_gen;
      IF v_gen_len < 0 THEN
        v_gen_len := ceil((v_gen->>'count')::numeric * 600
                          * (100 + coalesce((acc->>'extraTimePercent')::numeric, 0)) / 100);
      END IF;
      v_len := v_len + v_gen_len;
    END IF;
    IF jsonb_typeof(acc->'breaks') = 'object' THEN
      v_len := v_len + coalesce((acc->'breaks'->>'count')::numeric, 0)
                     * coalesce((acc->'breaks'->>'maxMinutes')::numeric, 0) * 60;
    END IF;
    v_margin := 2 * v_len + 1800;
    v_rate := CASE WHEN e.upload_mode = 'flags_only' THEN 14630 ELSE 146300 END;
    v_session_bytes := ceil(v_margin * v_rate) + 67108864;
    v_session_blobs := 200 + ceil(v_margin / 5);
    q := CASE WHEN jsonb_typeof(e.policy->'storageQuota') = 'object' THEN e.policy->'storageQuota'
              ELSE '{}'::jsonb END;
    RETURN jsonb_build_object(
      'lengthS', v_len,
      'derived', jsonb_build_object('sessionBytes', v_session_bytes, 'sessionBlobs', v_session_blobs,
                                    'deviceBytes', 3 * v_session_bytes, 'deviceBlobs', 3 * v_session_blobs),
      'sessionBytes', vigil.quota_value(q->'sessionBytes', v_session_bytes),
      'sessionBlobs', vigil.quota_value(q->'sessionBlobs', v_session_blobs),
      'deviceBytes', vigil.quota_value(q->'deviceBytes', 3 * v_session_bytes),
      'deviceBlobs', vigil.quota_value(q->'deviceBlobs', 3 * v_session_blobs));
  END $$`;

// An explicit value counts only if it is a positive whole number (a typo never means "no quota").
const QUOTA_VALUE = `CREATE OR REPLACE FUNCTION vigil.quota_value(p jsonb, p_default bigint)
  RETURNS bigint LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN jsonb_typeof(p) = 'number' AND (p::text)::numeric = trunc((p::text)::numeric)
                   AND (p::text)::numeric BETWEEN 1 AND 9223372036854775807
              THEN (p::text)::bigint ELSE p_default END
  $$`;

const blobBegin = (
  withQuota: boolean,
) => `CREATE OR REPLACE FUNCTION vigil.blob_begin(p_token text, p jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE d vigil.devices := vigil.device_auth(p_token); s vigil.sessions; b vigil.blobs;
    v_max bigint := (SELECT max_blob_bytes FROM vigil.central_settings);${
      withQuota
        ? `
    v_size bigint; quota jsonb; v_used_bytes bigint; v_used_blobs bigint;`
        : ''
    }
  BEGIN
    s := vigil.device_session(d, (p->>'sessionId')::uuid);
    IF (p->>'size')::bigint < 0 THEN
      RAISE EXCEPTION 'blob size is negative' USING ERRCODE = 'VG400';
    END IF;
    IF (p->>'size')::bigint > v_max THEN
      RAISE EXCEPTION 'blob of % bytes is larger than this server accepts (% bytes)', p->>'size', v_max
        USING ERRCODE = 'VG413', DETAIL = v_max::text,
              HINT = 'An administrator raises vigil.central_settings.max_blob_bytes.';
    END IF;${
      withQuota
        ? `
    -- A new blob (a resumed one has its row and its reservation already) must fit the quota.
    -- The device row's lock serialises this device's begins, so two at once cannot both squeeze in.
    IF NOT EXISTS (SELECT 1 FROM vigil.blobs WHERE id = (p->>'id')::uuid) THEN
      PERFORM 1 FROM vigil.devices WHERE id = d.id FOR UPDATE;
      v_size := (p->>'size')::bigint;
      quota := vigil.blob_quota(s.exam_id, d.enrollment_id);
      SELECT coalesce(sum(size), 0), count(*) INTO v_used_bytes, v_used_blobs
        FROM vigil.blobs WHERE session_id = s.id AND device_id = d.id;
      IF v_used_bytes + v_size > (quota->>'sessionBytes')::bigint
         OR v_used_blobs + 1 > (quota->>'sessionBlobs')::bigint THEN
        RAISE EXCEPTION 'this session''s storage quota is used up: % of % bytes and % of % files filed, this file has % bytes',
          v_used_bytes, quota->>'sessionBytes', v_used_blobs, quota->>'sessionBlobs', v_size
          USING ERRCODE = 'VG507',
                DETAIL = jsonb_build_object('scope', 'session', 'usedBytes', v_used_bytes,
                  'limitBytes', (quota->>'sessionBytes')::bigint, 'usedBlobs', v_used_blobs,
                  'limitBlobs', (quota->>'sessionBlobs')::bigint, 'blobBytes', v_size)::text,
                HINT = 'An administrator raises policy.storageQuota of the exam.';
      END IF;
      SELECT coalesce(sum(size), 0), count(*) INTO v_used_bytes, v_used_blobs
        FROM vigil.blobs WHERE device_id = d.id;
      IF v_used_bytes + v_size > (quota->>'deviceBytes')::bigint
         OR v_used_blobs + 1 > (quota->>'deviceBlobs')::bigint THEN
        RAISE EXCEPTION 'this device''s storage quota is used up: % of % bytes and % of % files filed, this file has % bytes',
          v_used_bytes, quota->>'deviceBytes', v_used_blobs, quota->>'deviceBlobs', v_size
          USING ERRCODE = 'VG507',
                DETAIL = jsonb_build_object('scope', 'device', 'usedBytes', v_used_bytes,
                  'limitBytes', (quota->>'deviceBytes')::bigint, 'usedBlobs', v_used_blobs,
                  'limitBlobs', (quota->>'deviceBlobs')::bigint, 'blobBytes', v_size)::text,
                HINT = 'An administrator raises policy.storageQuota of the exam.';
      END IF;
    END IF;`
        : ''
    }
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

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  // The device quota sums a device's blobs on every begin.
  await run(`CREATE INDEX blobs_device ON vigil.blobs(device_id)`);
  await run(QUOTA_VALUE);
  await run(BLOB_QUOTA);
  // Admins may ask what an exam's quota is (the device cannot: it has only its calls).
  await run(`REVOKE ALL ON FUNCTION vigil.quota_value(jsonb, bigint) FROM PUBLIC`);
  await run(`REVOKE ALL ON FUNCTION vigil.blob_quota(uuid, uuid) FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.blob_quota(uuid, uuid) TO vigil_admin`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.quota_value(jsonb, bigint) TO vigil_admin`);
  // CREATE OR REPLACE keeps 0005's REVOKE FROM PUBLIC / GRANT TO vigil_device.
  await run(blobBegin(true));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(blobBegin(false));
  await run(`DROP FUNCTION vigil.blob_quota(uuid, uuid)`);
  await run(`DROP FUNCTION vigil.quota_value(jsonb, bigint)`);
  await run(`DROP INDEX vigil.blobs_device`);
}
