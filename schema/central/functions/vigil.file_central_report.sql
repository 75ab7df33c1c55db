CREATE OR REPLACE FUNCTION vigil.file_central_report(p_session uuid, p_report_id text, p_version integer, p_reason text, p_basis bytea, p_made_by text, p_job text, p_pdf bytea)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
  END $function$
