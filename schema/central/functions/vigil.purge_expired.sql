CREATE OR REPLACE FUNCTION vigil.purge_expired(p_worker_id text, p_dry_run boolean, p_limit integer)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
    v_rows := jsonb_build_object(
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
                      WHERE b.session_id = ANY(v_ids)));
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
  END $function$
