CREATE OR REPLACE FUNCTION vigil.blob_finish(p_token text, p_blob uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
      IF b.size <= 536870912 THEN
        SELECT sha256(coalesce(string_agg(c.data, ''::bytea ORDER BY c."offset"), ''::bytea)) INTO v_hash
        FROM vigil.blob_chunks c WHERE c.blob_id = p_blob;
      ELSE
        v_hash := b.sha256;
      END IF;
      IF v_hash <> b.sha256 THEN
        -- Start over: the chunks on file do not add up to the announced file.
        DELETE FROM vigil.blob_chunks WHERE blob_id = p_blob;
        UPDATE vigil.blobs SET received = 0 WHERE id = p_blob;
        RAISE EXCEPTION 'blob % does not match its sha256; upload it again', p_blob USING ERRCODE = 'VG422', DETAIL = '0';
      END IF;
      UPDATE vigil.blobs SET status = 'complete', completed_at = now(), whole_hash_verified = (b.size <= 536870912) WHERE id = p_blob RETURNING * INTO b;
    END IF;
    RETURN jsonb_build_object('id', b.id, 'sha256', encode(b.sha256, 'hex'), 'size', b.size,
                              'completedAt', b.completed_at);
  END $function$
