CREATE OR REPLACE FUNCTION vigil.blob_begin(p_token text, p jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE d vigil.devices := vigil.device_auth(p_token); s vigil.sessions; b vigil.blobs;
    v_max bigint := (SELECT max_blob_bytes FROM vigil.central_settings);
  BEGIN
    s := vigil.device_session(d, (p->>'sessionId')::uuid);
    IF (p->>'size')::bigint < 0 THEN
      RAISE EXCEPTION 'blob size is negative' USING ERRCODE = 'VG400';
    END IF;
    IF (p->>'size')::bigint > v_max THEN
      RAISE EXCEPTION 'blob of % bytes is larger than this server accepts (% bytes)', p->>'size', v_max
        USING ERRCODE = 'VG413', DETAIL = v_max::text,
              HINT = 'An administrator raises vigil.central_settings.max_blob_bytes.';
    END IF;
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
  END $function$
