// Central PostgreSQL: enrollment codes resist guessing (issue #19, item 11).
//  - Salted, peppered hashes: a new code is stored as sha256(pepper || salt || code), the salt per
//    code, the pepper in vigil.enrollment_pepper that only the owner role (and so the SECURITY
//    DEFINER functions) can read, so a copy of vigil.enrollments alone cannot be checked offline.
//    The first four characters (code_lookup) find the row; the rest is the secret. Codes issued
//    before this migration keep their plain sha256 until they expire.
//  - Failed attempts are limited per code (a wrong secret for a code's lookup counts against that
//    code; at max_failures_per_code it is locked and the admin issues a new one) and per client
//    (an unenrolled device has no identity the server can trust, so it is its network address; past
//    max_failures_per_client within failure_window every attempt from it is refused for a while).
//  - One answer for every refusal: unknown, used, expired, locked or wrong all return
//    {"refused": true, "reason": "refused"} to the unauthenticated caller; the real outcome is kept
//    in vigil.enrollment_attempts for administrators. The refusal is a result, not an exception,
//    so the counted failure is committed.
//  - A code lives at most 14 days, and never past its exam's window (0455: refused once it closed).
import { sql, type Kysely } from 'kysely';

const REDEEM = `CREATE OR REPLACE FUNCTION vigil.redeem_enrollment(p_code text, p_label text) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    e vigil.enrollments; r vigil.enrollments; found_code boolean := false;
    v_norm text := upper(regexp_replace(coalesce(p_code, ''), '[^0-9A-Za-z]', '', 'g'));
    v_client text := coalesce(host(inet_client_addr()), 'local');
    v_pepper bytea := (SELECT pepper FROM vigil.enrollment_pepper);
    s vigil.central_settings;
    v_failures integer; v_wrong integer; v_outcome text;
    v_token text; v_device uuid; v_expires timestamptz;
    refused CONSTANT jsonb := jsonb_build_object('refused', true, 'reason', 'refused');
  BEGIN
    SELECT * INTO s FROM vigil.central_settings;
    SELECT count(*) INTO v_failures FROM vigil.enrollment_attempts
    WHERE client = v_client AND at > now() - s.enroll_failure_window;
    IF v_failures >= s.enroll_max_failures_per_client THEN
      RETURN jsonb_build_object('refused', true, 'reason', 'throttled',
        'retryAfterSeconds', ceil(extract(epoch FROM s.enroll_failure_window))::int);
    END IF;
    -- Salted codes: the lookup finds the candidates, the salted hash decides.
    FOR r IN SELECT * FROM vigil.enrollments
             WHERE code_lookup = left(v_norm, 4) AND code_salt IS NOT NULL FOR UPDATE LOOP
      IF r.code_hash = sha256(v_pepper || r.code_salt || convert_to(v_norm, 'UTF8')) THEN
        e := r; found_code := true;
      END IF;
    END LOOP;
    IF NOT found_code THEN
      -- Codes issued before 0500: plain sha256 of the code.
      SELECT * INTO e FROM vigil.enrollments
      WHERE code_salt IS NULL AND code_hash = sha256(convert_to(upper(coalesce(p_code, '')), 'UTF8'))
      FOR UPDATE;
      found_code := FOUND;
    END IF;
    IF NOT found_code THEN
      -- A wrong secret for an open code's lookup counts against that code.
      UPDATE vigil.enrollments
      SET failed_attempts = failed_attempts + 1,
          locked_at = CASE WHEN failed_attempts + 1 >= s.enroll_max_failures_per_code
                           THEN coalesce(locked_at, now()) ELSE locked_at END
      WHERE code_lookup = left(v_norm, 4) AND code_salt IS NOT NULL
        AND redeemed_at IS NULL AND expires_at > now();
      GET DIAGNOSTICS v_wrong = ROW_COUNT;
      INSERT INTO vigil.enrollment_attempts(client, outcome, label)
      VALUES (v_client, CASE WHEN v_wrong > 0 THEN 'wrong' ELSE 'unknown' END, left(coalesce(p_label, ''), 200));
      DELETE FROM vigil.enrollment_attempts WHERE client = v_client AND at < now() - interval '1 day';
      RETURN refused;
    END IF;
    v_outcome := CASE WHEN e.redeemed_at IS NOT NULL THEN 'used'
                      WHEN e.expires_at <= now() THEN 'expired'
                      WHEN e.locked_at IS NOT NULL THEN 'locked'
                      -- 0455: a closed exam's code enrolls nothing.
                      WHEN (SELECT x.closes_at <= now() FROM vigil.exams x WHERE x.id = e.exam_id)
                        THEN 'window_closed' END;
    IF v_outcome IS NOT NULL THEN
      INSERT INTO vigil.enrollment_attempts(client, outcome, enrollment_id, label)
      VALUES (v_client, v_outcome, e.id, left(coalesce(p_label, ''), 200));
      RETURN refused;
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

// The body before 0500 (0455's, with the closed-window refusal), for down().
const REDEEM_0455 = `CREATE OR REPLACE FUNCTION vigil.redeem_enrollment(p_code text, p_label text) RETURNS jsonb
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

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`CREATE TABLE vigil.enrollment_pepper (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    pepper bytea NOT NULL
  )`);
  // 244 random bits (two v4 UUIDs), the same source as device tokens; no extension needed.
  await run(`INSERT INTO vigil.enrollment_pepper(pepper)
    VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'))`);
  // Only the owner (the SECURITY DEFINER functions) reads it: no grant to any group role.
  await run(`ALTER TABLE vigil.enrollment_pepper ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE vigil.enrollment_pepper FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY owner_only ON vigil.enrollment_pepper FOR SELECT TO vigil_owner USING (true)`);

  await run(`ALTER TABLE vigil.enrollments
    ADD COLUMN code_lookup text,
    ADD COLUMN code_salt bytea,
    ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN locked_at timestamptz`);
  await run(
    `CREATE INDEX enrollments_code_lookup ON vigil.enrollments(code_lookup) WHERE code_lookup IS NOT NULL`,
  );
  // NOT VALID: codes issued before keep whatever lifetime they were given.
  await run(`ALTER TABLE vigil.enrollments ADD CONSTRAINT enrollments_ttl_check
    CHECK (expires_at <= created_at + interval '14 days') NOT VALID`);

  await run(`ALTER TABLE vigil.central_settings
    ADD COLUMN enroll_max_failures_per_code integer NOT NULL DEFAULT 5 CHECK (enroll_max_failures_per_code > 0),
    ADD COLUMN enroll_max_failures_per_client integer NOT NULL DEFAULT 30 CHECK (enroll_max_failures_per_client > 0),
    ADD COLUMN enroll_failure_window interval NOT NULL DEFAULT interval '15 minutes'
      CHECK (enroll_failure_window > interval '0')`);

  await run(`CREATE TABLE vigil.enrollment_attempts (
    id bigserial PRIMARY KEY,
    client text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    outcome text NOT NULL CHECK (outcome IN ('unknown', 'wrong', 'used', 'expired', 'locked', 'window_closed')),
    enrollment_id uuid REFERENCES vigil.enrollments(id) ON DELETE CASCADE,
    label text NOT NULL DEFAULT ''
  )`);
  await run(`CREATE INDEX enrollment_attempts_client_at ON vigil.enrollment_attempts(client, at)`);
  await run(`ALTER TABLE vigil.enrollment_attempts ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE vigil.enrollment_attempts FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY privileged ON vigil.enrollment_attempts FOR ALL TO vigil_owner, vigil_admin
    USING (true) WITH CHECK (true)`);
  // Admins see why a candidate's code was refused (the candidate is told only "refused").
  await run(`GRANT SELECT ON vigil.enrollment_attempts TO vigil_admin`);

  // The hash of a new code, for whoever issues codes (owner, admins); never for devices.
  await run(`CREATE FUNCTION vigil.enrollment_code_hash(p_code text, p_salt bytea) RETURNS bytea
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      SELECT sha256((SELECT pepper FROM vigil.enrollment_pepper) || p_salt
                    || convert_to(upper(regexp_replace(p_code, '[^0-9A-Za-z]', '', 'g')), 'UTF8'))
    $$`);
  await run(`REVOKE ALL ON FUNCTION vigil.enrollment_code_hash(text, bytea) FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.enrollment_code_hash(text, bytea) TO vigil_admin`);
  // CREATE OR REPLACE keeps 0005's REVOKE FROM PUBLIC / GRANT TO vigil_device.
  await run(REDEEM);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(REDEEM_0455);
  await run(`DROP FUNCTION vigil.enrollment_code_hash(text, bytea)`);
  await run(`DROP TABLE vigil.enrollment_attempts`);
  await run(`ALTER TABLE vigil.central_settings DROP COLUMN enroll_max_failures_per_code,
    DROP COLUMN enroll_max_failures_per_client, DROP COLUMN enroll_failure_window`);
  await run(`ALTER TABLE vigil.enrollments DROP CONSTRAINT enrollments_ttl_check,
    DROP COLUMN code_lookup, DROP COLUMN code_salt, DROP COLUMN failed_attempts, DROP COLUMN locked_at`);
  await run(`DROP TABLE vigil.enrollment_pepper`);
}
