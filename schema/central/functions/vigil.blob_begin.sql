CREATE OR REPLACE FUNCTION vigil.blob_begin(p_token text, p jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE d vigil.devices := vigil.device_auth(p_token); s vigil.sessions; b vigil.blobs;
    v_max bigint := (SELECT max_blob_bytes FROM vigil.central_settings);
    v_size bigint; quota jsonb; v_used_bytes bigint; v_used_blobs bigint;
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
    -- A new blob (a resumed one has its row and its reservation already) must fit the quota.
    -- The device row's lock serialises this device's begins, so two at once cannot both squeeze in.
    IF NOT EXISTS (SELECT 1 FROM vigil.blobs WHERE id = (p->>'id')::uuid) THEN
      PERFORM 1 FROM vigil.devices WHERE id = d.id FOR UPDATE;
      v_size := (p->>'size')::bigint;
      quota := vigil.blob_quota(s.exam_id, d.enrollment_id);
      SELECT coalesce(sum(size), 0), count(*) INTO v_used_bytes, v_used_blobs
        FROM vigil.blobs WHERE session_id = s.id AND device_id = d.id;
      IF v_used_bytes + v_size > (quota->>'sessionBytes')::bigint
         OR v_used_blobs + 1 > (quota->>'sessionBlobs')::bigint THEN
        RAISE EXCEPTION 'this session''s storage quota is used up: % of % bytes and % of % files filed, this file has % bytes',
          v_used_bytes, quota->>'sessionBytes', v_used_blobs, quota->>'sessionBlobs', v_size
          USING ERRCODE = 'VG507',
                DETAIL = jsonb_build_object('scope', 'session', 'usedBytes', v_used_bytes,
                  'limitBytes', (quota->>'sessionBytes')::bigint, 'usedBlobs', v_used_blobs,
                  'limitBlobs', (quota->>'sessionBlobs')::bigint, 'blobBytes', v_size)::text,
                HINT = 'An administrator raises policy.storageQuota of the exam.';
      END IF;
      SELECT coalesce(sum(size), 0), count(*) INTO v_used_bytes, v_used_blobs
        FROM vigil.blobs WHERE device_id = d.id;
      IF v_used_bytes + v_size > (quota->>'deviceBytes')::bigint
         OR v_used_blobs + 1 > (quota->>'deviceBlobs')::bigint THEN
        RAISE EXCEPTION 'this device''s storage quota is used up: % of % bytes and % of % files filed, this file has % bytes',
          v_used_bytes, quota->>'deviceBytes', v_used_blobs, quota->>'deviceBlobs', v_size
          USING ERRCODE = 'VG507',
                DETAIL = jsonb_build_object('scope', 'device', 'usedBytes', v_used_bytes,
                  'limitBytes', (quota->>'deviceBytes')::bigint, 'usedBlobs', v_used_blobs,
                  'limitBlobs', (quota->>'deviceBlobs')::bigint, 'blobBytes', v_size)::text,
                HINT = 'An administrator raises policy.storageQuota of the exam.';
      END IF;
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
