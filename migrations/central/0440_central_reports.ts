// Central PostgreSQL: the report of record is made centrally, by the trusted worker (issue 18 item 1).
// Until now a proctor's laptop rendered the PDF after a decision and filed it (0401's
// vigil.file_report): the facts in it were whatever that laptop's login saw at that moment, and a
// decision without a console running left no report. Now a 'report' work request is raised in the
// transaction that makes a new version due:
// - the server's evaluation is filed (server_evaluations insert);
// - a proctor decides the session (session_decisions insert) or gives a verdict on one of its
//   warnings (reviews insert).
// A burst of these is one request (worker_requests' key is session and kind); the worker builds the
// report from central rows only and files it as the next central version.
//
// Exactly one version per state of the facts: the worker takes a per-session transaction lock
// (vigil.lock_central_report) before it reads the facts, then sends the sha256 of the report's input
// (its `basis`); vigil.next_central_report answers NULL when that basis is already filed (a job run
// twice, or two workers racing, file one version) and otherwise the next version number, which
// vigil.file_central_report files in the same transaction. Unique indexes on (session, version) and (session, basis) of the worker's versions
// hold the same rule should anything else try.
//
// The worker reads what the report shows (verdicts, decisions, the device's evaluation next to the
// server's, earlier versions) and writes only through file_central_report: it holds no INSERT on
// blobs, report_versions or the audit log.
import { sql, type Kysely } from 'kysely';

const REQUEST_REPORT = `CREATE FUNCTION vigil.request_report() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_session uuid;
  BEGIN
    IF TG_TABLE_NAME = 'reviews' THEN
      SELECT w.session_id INTO v_session FROM vigil.warnings w WHERE w.id = NEW.warning_id;
    ELSE
      v_session := NEW.session_id;
    END IF;
    IF v_session IS NULL THEN RETURN NULL; END IF;
    INSERT INTO vigil.worker_requests(session_id, kind) VALUES (v_session, 'report') ON CONFLICT DO NOTHING;
    PERFORM pg_notify('vigil_worker', v_session::text);
    RETURN NULL;
  END $$`;

// Held to the end of the caller's transaction, across reading the facts, rendering and filing:
// a job that read older facts cannot file them after a job that read newer ones.
const LOCK_REPORT = `CREATE FUNCTION vigil.lock_central_report(p_session uuid) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_advisory_xact_lock(hashtextextended('vigil.central_report:' || p_session::text, 0))
  $$`;

const NEXT_REPORT = `CREATE FUNCTION vigil.next_central_report(p_session uuid, p_basis bytea) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    PERFORM vigil.lock_central_report(p_session);
    IF EXISTS (SELECT 1 FROM vigil.report_versions r WHERE r.session_id = p_session
               AND r.filed_by = 'worker' AND r.basis = p_basis) THEN
      RETURN NULL;
    END IF;
    RETURN coalesce((SELECT max(r.version) FROM vigil.report_versions r
                     WHERE r.session_id = p_session AND r.filed_by = 'worker'), 0) + 1;
  END $$`;

const FILE_REPORT = `CREATE FUNCTION vigil.file_central_report(p_session uuid, p_report_id text,
    p_version integer, p_reason text, p_basis bytea, p_made_by text, p_job text, p_pdf bytea) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_blob uuid; v_sha bytea := sha256(p_pdf);
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM vigil.sessions WHERE id = p_session) THEN
      RAISE EXCEPTION 'there is no session %', p_session USING ERRCODE = 'VG400';
    END IF;
    IF p_pdf IS NULL OR length(p_pdf) = 0 OR length(p_pdf) > 64 * 1024 * 1024 THEN
      RAISE EXCEPTION 'a report PDF must be between 1 byte and 64 MiB' USING ERRCODE = 'VG400';
    END IF;
    IF p_basis IS NULL OR length(p_basis) <> 32 THEN
      RAISE EXCEPTION 'a central report names the sha256 of its input' USING ERRCODE = 'VG400';
    END IF;
    IF p_version IS DISTINCT FROM vigil.next_central_report(p_session, p_basis) THEN
      RAISE EXCEPTION 'version % of the report of session % is not the next one (or its input is filed)',
        p_version, p_session USING ERRCODE = 'VG409';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM vigil.blobs b WHERE b.session_id = p_session AND b.sha256 = v_sha
                   AND b.status = 'complete') THEN
      v_blob := gen_random_uuid();
      INSERT INTO vigil.blobs(id, session_id, device_id, kind, sha256, size, content_type, received, status,
                              completed_at)
      VALUES (v_blob, p_session, NULL, 'pdf', v_sha, length(p_pdf), 'application/pdf', length(p_pdf),
              'complete', now());
      INSERT INTO vigil.blob_chunks(blob_id, "offset", sha256, data) VALUES (v_blob, 0, v_sha, p_pdf);
    END IF;
    INSERT INTO vigil.report_versions(session_id, report_id, version, reason, sha256, filed_by, made_by,
                                      job_id, basis)
    VALUES (p_session, p_report_id, p_version, coalesce(p_reason, ''), v_sha, 'worker', p_made_by, p_job,
            p_basis);
    INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
    VALUES (session_user, NULL, 'file_central_report', 'report_versions', p_session::text,
            jsonb_build_object('reportId', p_report_id, 'version', p_version, 'reason', p_reason,
                               'madeBy', p_made_by, 'jobId', p_job, 'sha256', encode(v_sha, 'hex')));
    RETURN jsonb_build_object('reportId', p_report_id, 'version', p_version, 'sha256', encode(v_sha, 'hex'));
  END $$`;

/** What the report shows beyond what the worker already reads for evaluation and risk (0410). */
const WORKER_READS = ['reviews', 'session_decisions', 'evaluations', 'report_versions'];

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE vigil.worker_requests DROP CONSTRAINT worker_requests_kind_check,
    ADD CONSTRAINT worker_requests_kind_check CHECK (kind IN ('evaluate', 'risk', 'report'))`);
  await run(`ALTER TABLE vigil.report_versions DROP CONSTRAINT report_versions_filed_by_check,
    ADD CONSTRAINT report_versions_filed_by_check CHECK (filed_by IN ('device', 'console', 'worker'))`);
  await run(`ALTER TABLE vigil.report_versions
    ADD COLUMN made_by text CHECK (length(made_by) BETWEEN 1 AND 200),
    ADD COLUMN job_id text CHECK (length(job_id) <= 200),
    ADD COLUMN basis bytea CHECK (length(basis) = 32)`);
  await run(`ALTER TABLE vigil.report_versions ADD CONSTRAINT report_versions_worker_made CHECK (
    (filed_by = 'worker') = (made_by IS NOT NULL AND basis IS NOT NULL))`);
  await run(`CREATE UNIQUE INDEX report_versions_central_version ON vigil.report_versions (session_id, version)
    WHERE filed_by = 'worker'`);
  await run(`CREATE UNIQUE INDEX report_versions_central_basis ON vigil.report_versions (session_id, basis)
    WHERE filed_by = 'worker'`);

  await run(REQUEST_REPORT);
  await run(LOCK_REPORT);
  await run(NEXT_REPORT);
  await run(FILE_REPORT);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.request_report(), vigil.lock_central_report(uuid),
    vigil.next_central_report(uuid, bytea),
    vigil.file_central_report(uuid, text, integer, text, bytea, text, text, bytea) FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.lock_central_report(uuid), vigil.next_central_report(uuid, bytea),
    vigil.file_central_report(uuid, text, integer, text, bytea, text, text, bytea) TO vigil_worker`);
  await run(`CREATE TRIGGER server_evaluations_request_report AFTER INSERT ON vigil.server_evaluations
    FOR EACH ROW EXECUTE FUNCTION vigil.request_report()`);
  await run(`CREATE TRIGGER session_decisions_request_report AFTER INSERT ON vigil.session_decisions
    FOR EACH ROW EXECUTE FUNCTION vigil.request_report()`);
  await run(`CREATE TRIGGER reviews_request_report AFTER INSERT ON vigil.reviews
    FOR EACH ROW EXECUTE FUNCTION vigil.request_report()`);

  // Read only, for every session (the worker makes every session's report).
  for (const table of WORKER_READS) {
    await run(`CREATE POLICY worker_read ON vigil.${table} FOR SELECT TO vigil_worker USING (true)`);
  }
  await run(`GRANT SELECT ON ${WORKER_READS.map((t) => `vigil.${t}`).join(', ')} TO vigil_worker`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`REVOKE SELECT ON ${WORKER_READS.map((t) => `vigil.${t}`).join(', ')} FROM vigil_worker`);
  for (const table of WORKER_READS) await run(`DROP POLICY worker_read ON vigil.${table}`);
  await run(`DROP TRIGGER reviews_request_report ON vigil.reviews`);
  await run(`DROP TRIGGER session_decisions_request_report ON vigil.session_decisions`);
  await run(`DROP TRIGGER server_evaluations_request_report ON vigil.server_evaluations`);
  await run(`DROP FUNCTION vigil.file_central_report(uuid, text, integer, text, bytea, text, text, bytea),
    vigil.next_central_report(uuid, bytea), vigil.lock_central_report(uuid), vigil.request_report()`);
  await run(`DELETE FROM vigil.worker_requests WHERE kind = 'report'`);
  await run(`DELETE FROM vigil.report_versions WHERE filed_by = 'worker'`);
  await run(`DROP INDEX vigil.report_versions_central_basis, vigil.report_versions_central_version`);
  await run(`ALTER TABLE vigil.report_versions DROP CONSTRAINT report_versions_worker_made,
    DROP COLUMN basis, DROP COLUMN job_id, DROP COLUMN made_by`);
  await run(`ALTER TABLE vigil.report_versions DROP CONSTRAINT report_versions_filed_by_check,
    ADD CONSTRAINT report_versions_filed_by_check CHECK (filed_by IN ('device', 'console'))`);
  await run(`ALTER TABLE vigil.worker_requests DROP CONSTRAINT worker_requests_kind_check,
    ADD CONSTRAINT worker_requests_kind_check CHECK (kind IN ('evaluate', 'risk'))`);
}
