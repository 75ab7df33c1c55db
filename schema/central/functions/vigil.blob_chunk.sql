CREATE OR REPLACE FUNCTION vigil.blob_chunk(p_token text, p_blob uuid, p_offset bigint, p_data bytea, p_sha256 text)
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
    IF b.status = 'complete' THEN
      RETURN jsonb_build_object('offset', b.received, 'status', b.status);
    END IF;
    IF p_offset IS DISTINCT FROM b.received THEN
      RAISE EXCEPTION 'wrong offset % for blob %', p_offset, p_blob USING ERRCODE = 'VG409', DETAIL = b.received::text;
    END IF;
    IF p_data IS NULL OR length(p_data) = 0 OR length(p_data) > 8388608 OR b.received + length(p_data) > b.size THEN
      RAISE EXCEPTION 'chunk is empty, larger than 8 MiB or runs past the blob size' USING ERRCODE = 'VG400';
    END IF;
    v_hash := sha256(p_data);
    IF v_hash IS DISTINCT FROM decode(p_sha256, 'hex') THEN
      RAISE EXCEPTION 'chunk at offset % does not match its sha256', p_offset USING ERRCODE = 'VG422';
    END IF;
    INSERT INTO vigil.blob_chunks(blob_id, "offset", sha256, data) VALUES (p_blob, p_offset, v_hash, p_data);
    UPDATE vigil.blobs SET received = received + length(p_data) WHERE id = p_blob;
    RETURN jsonb_build_object('offset', b.received + length(p_data), 'status', b.status);
  END $function$
