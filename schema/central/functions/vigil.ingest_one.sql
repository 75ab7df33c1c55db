CREATE OR REPLACE FUNCTION vigil.ingest_one(d vigil.devices, it jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE v_key text := it->>'key'; v_kind text := coalesce(it->>'kind', ''); prior vigil.ingest_receipts; v_sid uuid;
  BEGIN
    IF v_key IS NULL OR length(v_key) NOT BETWEEN 1 AND 200 THEN
      RETURN jsonb_build_object('receipt', jsonb_build_object('key', v_key, 'status', 'rejected',
        'reason', 'missing or invalid idempotency key'));
    END IF;
    -- The receipt row claims the key first: a concurrent duplicate waits here, then sees it.
    INSERT INTO vigil.ingest_receipts(device_id, idempotency_key, kind, status)
    VALUES (d.id, v_key, v_kind, 'applied') ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      SELECT * INTO prior FROM vigil.ingest_receipts WHERE device_id = d.id AND idempotency_key = v_key;
      RETURN jsonb_build_object('receipt', jsonb_build_object('key', v_key, 'status', 'duplicate',
        'original', prior.status, 'reason', prior.reason));
    END IF;
    BEGIN
      v_sid := vigil.ingest_item(d, v_kind, it->'payload');
      RETURN jsonb_build_object('receipt', jsonb_build_object('key', v_key, 'status', 'applied'), 'session', v_sid);
    EXCEPTION WHEN data_exception OR integrity_constraint_violation OR SQLSTATE 'VG400'
                OR SQLSTATE 'VG403' OR SQLSTATE 'VG422' THEN
      UPDATE vigil.ingest_receipts SET status = 'rejected', reason = left(SQLERRM, 500)
      WHERE device_id = d.id AND idempotency_key = v_key;
      RETURN jsonb_build_object('receipt', jsonb_build_object('key', v_key, 'status', 'rejected',
        'reason', left(SQLERRM, 500)));
    END;
  END $function$
