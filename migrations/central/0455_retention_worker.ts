// Central PostgreSQL: retention and credential expiry run by the trusted worker (issue 18 item 1).
//
// Purge. `vigil.purge_expired` deletes the sessions past their exam's `retention_days` (counted from
// the session's end, or its start if it never ended) by the server's clock, and writes a receipt of
// exactly what went (session ids, row counts per table, blob bytes, the rule per exam, who ran it)
// in the same transaction: a purge without its receipt cannot commit, and a receipt always names
// rows that are gone. It is the one purge path: the worker's scheduled job and the admin's
// `vigil admin purge` both call it (the admin's dry run returns the same receipt and writes nothing).
//
// Credential expiry. An exam may have a window (`exams.closes_at`, central 0445). Every device row (and its
// token) is enrolled for one exam; once that exam's window has closed, its token keeps working for
// `late_upload_grace_hours` (default 72) so an offline device can still send what it recorded before
// the finish (the write-freeze of 0432 still judges each item), and then `device_auth` refuses it
// with the reason "the exam's window has closed" (exact: server time, at every call).
// `vigil.expire_closed_devices`, run by the worker's schedule, marks such devices
// (`devices.window_closed_at`) and writes a receipt listing them. Moving an exam's window later
// (or raising its grace) clears the mark of devices whose new deadline has not passed.
// While the grace period runs, a session the server has not seen before is taken only if it started
// before the window closed (a device-claimed time, as for every late item; the chain anchors of 0433
// show how long it was offline).
//
// Receipts (`vigil.retention_receipts`) are append-only for everyone: admins and the worker read
// them, nobody holds INSERT (only the two definer functions write), UPDATE or DELETE, and a trigger
// refuses UPDATE and DELETE even to the owner. The worker login gets EXECUTE on the two functions,
// nothing more.
import { sql, type Kysely } from 'kysely';

/** Tables counted in a purge receipt (all reached from a session), as in src-main/admin/retention.ts. */
const COUNTS = `jsonb_build_object(
      'sessions', cardinality(v_ids),
      'events', (SELECT count(*) FROM vigil.events WHERE session_id = ANY(v_ids)),
      'warnings', (SELECT count(*) FROM vigil.warnings WHERE session_id = ANY(v_ids)),
      'reviews', (SELECT count(*) FROM vigil.reviews r JOIN vigil.warnings w ON w.id = r.warning_id
                  WHERE w.session_id = ANY(v_ids)),
      'session_decisions', (SELECT count(*) FROM vigil.session_decisions WHERE session_id = ANY(v_ids)),
      'questions', (SELECT count(*) FROM vigil.questions WHERE session_id = ANY(v_ids)),
      'messages', (SELECT count(*) FROM vigil.messages WHERE session_id = ANY(v_ids)),
      'evaluations', (SELECT count(*) FROM vigil.evaluations WHERE session_id = ANY(v_ids)),
      'server_evaluations', (SELECT count(*) FROM vigil.server_evaluations WHERE session_id = ANY(v_ids)),
      'blobs', (SELECT count(*) FROM vigil.blobs WHERE session_id = ANY(v_ids)),
      'blob_chunks', (SELECT count(*) FROM vigil.blob_chunks c JOIN vigil.blobs b ON b.id = c.blob_id
                      WHERE b.session_id = ANY(v_ids)))`;

const PURGE = `CREATE FUNCTION vigil.purge_expired(p_worker_id text, p_dry_run boolean, p_limit integer)
  RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    v_at timestamptz := now();
    v_ids uuid[];
    v_sessions jsonb;
    v_policy jsonb;
    v_rows jsonb;
    v_bytes bigint;
    v_receipt bigint;
  BEGIN
    IF p_limit IS NOT NULL AND p_limit < 1 THEN
      RAISE EXCEPTION 'purge_expired: p_limit must be at least 1 (or NULL for no limit)' USING ERRCODE = '22023';
    END IF;
    -- SKIP LOCKED: a purge running at the same time (another worker, an admin) takes the others.
    WITH picked AS (
      SELECT s.id, s.exam_id, s.ended_at, e.retention_days
      FROM vigil.sessions s JOIN vigil.exams e ON e.id = s.exam_id
      WHERE coalesce(s.ended_at, s.started_at) < v_at - make_interval(days => e.retention_days)
      ORDER BY s.exam_id, s.id
      LIMIT p_limit
      FOR UPDATE OF s SKIP LOCKED
    )
    SELECT coalesce(array_agg(id ORDER BY exam_id, id), '{}'),
           coalesce(jsonb_agg(jsonb_build_object('id', id, 'examId', exam_id, 'endedAt', ended_at)
                              ORDER BY exam_id, id), '[]'),
           coalesce((SELECT jsonb_agg(jsonb_build_object('examId', x.exam_id, 'retentionDays', x.retention_days)
                                      ORDER BY x.exam_id)
                     FROM (SELECT DISTINCT exam_id, retention_days FROM picked) x), '[]')
      INTO v_ids, v_sessions, v_policy
    FROM picked;
    v_rows := ${COUNTS};
    SELECT coalesce(sum(b.received), 0) INTO v_bytes FROM vigil.blobs b WHERE b.session_id = ANY(v_ids);
    v_policy := jsonb_build_object('rule', 'exams.retention_days', 'exams', v_policy);
    IF NOT p_dry_run AND cardinality(v_ids) > 0 THEN
      DELETE FROM vigil.sessions WHERE id = ANY(v_ids);
      INSERT INTO vigil.retention_receipts(kind, worker_id, policy, sessions, rows, blob_bytes)
      VALUES ('purge', p_worker_id, v_policy, v_sessions, v_rows, v_bytes) RETURNING id INTO v_receipt;
      INSERT INTO vigil.audit_log(action, target_table, target_id, details)
      VALUES ('purge', 'sessions', NULL, jsonb_build_object('receipt_id', v_receipt,
        'sessions', cardinality(v_ids), 'rows', v_rows, 'blob_bytes', v_bytes, 'worker_id', p_worker_id));
    END IF;
    RETURN jsonb_build_object('receiptId', v_receipt, 'dryRun', p_dry_run, 'at', v_at, 'policy', v_policy,
      'sessions', v_sessions, 'rows', v_rows, 'blobBytes', v_bytes);
  END $$`;

const EXPIRE = `CREATE FUNCTION vigil.expire_closed_devices(p_worker_id text, p_limit integer)
  RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    v_at timestamptz := now();
    v_devices jsonb;
    v_policy jsonb;
    v_receipt bigint;
  BEGIN
    WITH due AS (
      SELECT d.id, d.exam_id, e.closes_at, e.late_upload_grace_hours
      FROM vigil.devices d JOIN vigil.exams e ON e.id = d.exam_id
      WHERE d.window_closed_at IS NULL AND d.revoked_at IS NULL AND e.closes_at IS NOT NULL
        AND e.closes_at + make_interval(hours => e.late_upload_grace_hours) <= v_at
      ORDER BY d.exam_id, d.id
      LIMIT p_limit
      FOR UPDATE OF d SKIP LOCKED
    ), marked AS (
      UPDATE vigil.devices d SET window_closed_at = v_at FROM due WHERE d.id = due.id
      RETURNING d.id, d.exam_id, d.candidate_id, due.closes_at, due.late_upload_grace_hours
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'examId', exam_id, 'candidateId', candidate_id)
                              ORDER BY exam_id, id), '[]'),
           coalesce((SELECT jsonb_agg(jsonb_build_object('examId', x.exam_id, 'closesAt', x.closes_at,
                                        'lateUploadGraceHours', x.late_upload_grace_hours) ORDER BY x.exam_id)
                     FROM (SELECT DISTINCT exam_id, closes_at, late_upload_grace_hours FROM marked) x), '[]')
      INTO v_devices, v_policy
    FROM marked;
    v_policy := jsonb_build_object('rule', 'exams.closes_at + late_upload_grace_hours', 'exams', v_policy);
    IF jsonb_array_length(v_devices) > 0 THEN
      INSERT INTO vigil.retention_receipts(kind, worker_id, policy, devices)
      VALUES ('credential_expiry', p_worker_id, v_policy, v_devices) RETURNING id INTO v_receipt;
    END IF;
    RETURN jsonb_build_object('receiptId', v_receipt, 'at', v_at, 'policy', v_policy, 'devices', v_devices);
  END $$`;

// The exact rule, at every device call: 0005's checks with the window's between revoked and expired
// (a device of a closed exam is told why, not that its 30 days ran out).
const DEVICE_AUTH = `CREATE OR REPLACE FUNCTION vigil.device_auth(p_token text) RETURNS vigil.devices
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    d vigil.devices;
    v_closes timestamptz;
    v_grace integer;
  BEGIN
    IF p_token IS NULL OR length(p_token) NOT BETWEEN 32 AND 256 THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'unknown';
    END IF;
    SELECT * INTO d FROM vigil.devices WHERE token_hash = sha256(convert_to(p_token, 'UTF8'));
    IF NOT FOUND THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'unknown';
    ELSIF d.revoked_at IS NOT NULL THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'revoked';
    END IF;
    SELECT e.closes_at, e.late_upload_grace_hours INTO v_closes, v_grace
    FROM vigil.exams e WHERE e.id = d.exam_id;
    IF d.window_closed_at IS NOT NULL
       OR v_closes + make_interval(hours => v_grace) <= now() THEN
      RAISE EXCEPTION 'device token refused: the exam''s window has closed' USING ERRCODE = '28000',
        DETAIL = 'window_closed',
        HINT = format('The window closed at %s; late uploads were taken until %s.',
          to_char(v_closes AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'),
          to_char((v_closes + make_interval(hours => v_grace)) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'));
    ELSIF d.expires_at <= now() THEN
      RAISE EXCEPTION 'device token refused' USING ERRCODE = '28000', DETAIL = 'expired';
    END IF;
    RETURN d;
  END $$`;

const OLD_DEVICE_AUTH = `CREATE OR REPLACE FUNCTION vigil.device_auth(p_token text) RETURNS vigil.devices
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
  END $$`;

// A code of an exam whose window has closed enrolls nothing (device_auth would refuse its token at
// once, or take late uploads from a device that never recorded before the close).
const REDEEM = `CREATE OR REPLACE FUNCTION vigil.redeem_enrollment(p_code text, p_label text) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE e vigil.enrollments; v_token text; v_device uuid; v_expires timestamptz; v_closes timestamptz;
  BEGIN
    SELECT * INTO e FROM vigil.enrollments
    WHERE code_hash = sha256(convert_to(upper(coalesce(p_code, '')), 'UTF8')) FOR UPDATE;
    IF NOT FOUND OR e.redeemed_at IS NOT NULL OR e.expires_at <= now() THEN
      RAISE EXCEPTION 'enrollment code refused' USING ERRCODE = '28000',
        DETAIL = CASE WHEN NOT FOUND THEN 'unknown' WHEN e.redeemed_at IS NOT NULL THEN 'used' ELSE 'expired' END;
    END IF;
    SELECT x.closes_at INTO v_closes
    FROM vigil.exams x WHERE x.id = e.exam_id;
    IF v_closes <= now() THEN
      RAISE EXCEPTION 'enrollment code refused: the exam''s window has closed' USING ERRCODE = '28000',
        DETAIL = 'window_closed',
        HINT = format('The window closed at %s; no device can enroll for it now.',
          to_char(v_closes AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'));
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
  END $$`;

const OLD_REDEEM = `CREATE OR REPLACE FUNCTION vigil.redeem_enrollment(p_code text, p_label text) RETURNS jsonb
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
  END $$`;

// A session first seen during the grace period must have started before the window closed.
const REFUSE_AFTER_WINDOW = `CREATE FUNCTION vigil.refuse_session_after_window() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_closes timestamptz;
  BEGIN
    IF NOT pg_has_role(session_user, 'vigil_device', 'MEMBER') THEN RETURN NEW; END IF;
    SELECT e.closes_at INTO v_closes FROM vigil.exams e WHERE e.id = NEW.exam_id;
    IF v_closes IS NOT NULL AND NEW.started_at > v_closes THEN
      RAISE EXCEPTION 'the exam''s window has closed (at %): session % started after it', v_closes, NEW.id
        USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $$`;

// An admin who moves the window later (or raises the grace) gives the exam's devices back their use.
const REOPEN = `CREATE FUNCTION vigil.reopen_exam_devices() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    IF NEW.closes_at IS NULL
       OR NEW.closes_at + make_interval(hours => NEW.late_upload_grace_hours) > now() THEN
      UPDATE vigil.devices SET window_closed_at = NULL
      WHERE exam_id = NEW.id AND window_closed_at IS NOT NULL;
    END IF;
    RETURN NULL;
  END $$`;

const APPEND_ONLY = `CREATE FUNCTION vigil.receipts_append_only() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    RAISE EXCEPTION 'retention receipts are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE vigil.exams ADD COLUMN late_upload_grace_hours integer NOT NULL DEFAULT 72
    CHECK (late_upload_grace_hours BETWEEN 0 AND 720)`);
  await run(`ALTER TABLE vigil.devices ADD COLUMN window_closed_at timestamptz`);
  await run(`CREATE INDEX exams_window_closes ON vigil.exams (closes_at) WHERE closes_at IS NOT NULL`);
  await run(`CREATE TABLE vigil.retention_receipts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('purge', 'credential_expiry')),
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    login text NOT NULL DEFAULT session_user,
    worker_id text CHECK (length(worker_id) BETWEEN 1 AND 200),
    policy jsonb NOT NULL,
    sessions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(sessions) = 'array'),
    devices jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(devices) = 'array'),
    rows jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(rows) = 'object'),
    blob_bytes bigint NOT NULL DEFAULT 0 CHECK (blob_bytes >= 0)
  )`);
  await run(`CREATE INDEX retention_receipts_at ON vigil.retention_receipts (at)`);
  await run(`ALTER TABLE vigil.retention_receipts ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE vigil.retention_receipts FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY privileged ON vigil.retention_receipts FOR ALL TO vigil_owner, vigil_admin
    USING (true) WITH CHECK (true)`);
  await run(`CREATE POLICY worker_read ON vigil.retention_receipts FOR SELECT TO vigil_worker USING (true)`);
  await run(`GRANT SELECT ON vigil.retention_receipts TO vigil_admin, vigil_worker`);
  await run(APPEND_ONLY);
  await run(`CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON vigil.retention_receipts
    FOR EACH ROW EXECUTE FUNCTION vigil.receipts_append_only()`);
  await run(`CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON vigil.retention_receipts
    FOR EACH STATEMENT EXECUTE FUNCTION vigil.receipts_append_only()`);

  await run(PURGE);
  await run(EXPIRE);
  await run(DEVICE_AUTH);
  await run(REDEEM);
  await run(REFUSE_AFTER_WINDOW);
  await run(REOPEN);
  for (const fn of [
    'purge_expired(text, boolean, integer)',
    'expire_closed_devices(text, integer)',
    'refuse_session_after_window()',
    'reopen_exam_devices()',
    'receipts_append_only()',
  ])
    await run(`REVOKE EXECUTE ON FUNCTION vigil.${fn} FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.purge_expired(text, boolean, integer),
    vigil.expire_closed_devices(text, integer) TO vigil_worker, vigil_admin`);
  // "c_" so it runs after the server's stamping (a_) and the write-freeze (b_).
  await run(`CREATE TRIGGER c_refuse_session_after_window BEFORE INSERT ON vigil.sessions
    FOR EACH ROW EXECUTE FUNCTION vigil.refuse_session_after_window()`);
  await run(`CREATE TRIGGER reopen_exam_devices AFTER UPDATE OF closes_at, late_upload_grace_hours
    ON vigil.exams FOR EACH ROW EXECUTE FUNCTION vigil.reopen_exam_devices()`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP TRIGGER reopen_exam_devices ON vigil.exams`);
  await run(`DROP TRIGGER c_refuse_session_after_window ON vigil.sessions`);
  await run(OLD_DEVICE_AUTH);
  await run(OLD_REDEEM);
  await run(`DROP FUNCTION vigil.reopen_exam_devices(), vigil.refuse_session_after_window(),
    vigil.expire_closed_devices(text, integer), vigil.purge_expired(text, boolean, integer)`);
  await run(`DROP TABLE vigil.retention_receipts`);
  await run(`DROP FUNCTION vigil.receipts_append_only()`);
  await run(`ALTER TABLE vigil.devices DROP COLUMN window_closed_at`);
  await run(`ALTER TABLE vigil.exams DROP COLUMN late_upload_grace_hours`);
}
