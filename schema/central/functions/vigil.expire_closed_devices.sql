CREATE OR REPLACE FUNCTION vigil.expire_closed_devices(p_worker_id text, p_limit integer)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
  END $function$
