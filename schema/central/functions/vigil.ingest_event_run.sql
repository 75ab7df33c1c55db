CREATE OR REPLACE FUNCTION vigil.ingest_event_run(d vigil.devices, p_run jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
 SET lock_timeout TO '5s'
AS $function$
  DECLARE v_all_ok boolean; v_dups_ok boolean; v_sessions uuid[]; v_receipts jsonb;
  BEGIN
    -- One statement, no temp table (a device could plant one in its own session).
    WITH typed AS (
      SELECT x.ord, x.key, y.body, decode(y."prevHash", 'hex') AS prev, decode(y.hash, 'hex') AS hash,
             e."sessionId" AS sid, e.seq, e.kind, e.at, coalesce(e.data, '{}') AS data
      FROM ROWS FROM (jsonb_to_recordset(p_run) AS (key text, payload jsonb)) WITH ORDINALITY x(key, payload, ord),
           LATERAL jsonb_to_record(x.payload) AS y(body text, "prevHash" text, hash text),
           LATERAL jsonb_to_record(y.body::jsonb) AS e("sessionId" uuid, seq integer, kind text, at timestamptz, data jsonb)
    ), checked AS (
      SELECT t.*, coalesce(length(t.key) BETWEEN 1 AND 200 AND length(t.body) <= 1000000
                           AND length(t.prev) = 32 AND length(t.hash) = 32
                           AND t.seq >= 1 AND t.kind IS NOT NULL AND t.at IS NOT NULL
                           AND sha256(t.prev || convert_to(t.body, 'UTF8')) = t.hash, false) AS ok
      FROM typed t
    ), verdict AS (
      -- Two items for one (session, seq) in the same run go item by item, so a different second
      -- event is caught (flagged altered) instead of both being answered 'applied'.
      SELECT bool_and(c.ok) AND count(DISTINCT (c.sid, c.seq)) = count(*) AND NOT EXISTS (
               SELECT 1 FROM (SELECT DISTINCT c2.sid FROM checked c2) u
               WHERE NOT EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.id = u.sid AND s.device_id = d.id))
             AS all_ok
      FROM checked c
    ), ins AS (
      INSERT INTO vigil.events(session_id, seq, kind, occurred_at, body, payload, prev_hash, hash, hash_valid)
      SELECT c.sid, c.seq, c.kind, c.at, c.body, c.data, c.prev, c.hash, true
      FROM checked c, verdict v WHERE v.all_ok
      ON CONFLICT (session_id, seq) DO NOTHING
      RETURNING session_id, seq
    ), joined AS (
      SELECT c.ord, c.key, c.sid, c.seq, c.hash, i.seq IS NOT NULL AS inserted
      FROM checked c LEFT JOIN ins i ON i.session_id = c.sid AND i.seq = c.seq
    )
    SELECT (SELECT v.all_ok FROM verdict v),
           -- Every event not inserted must already be stored identically; else it is for the slow path.
           (SELECT coalesce(bool_and(EXISTS (SELECT 1 FROM vigil.events e
                     WHERE e.session_id = j.sid AND e.seq = j.seq AND e.hash = j.hash)), true)
            FROM joined j WHERE NOT j.inserted),
           (SELECT array_agg(DISTINCT i.session_id) FROM ins i),
           (SELECT jsonb_agg(jsonb_build_object('key', j.key, 'status',
                     CASE WHEN j.inserted THEN 'applied' ELSE 'duplicate' END) ORDER BY j.ord) FROM joined j)
    INTO v_all_ok, v_dups_ok, v_sessions, v_receipts;
    IF v_all_ok IS NOT TRUE OR NOT v_dups_ok THEN
      RAISE EXCEPTION 'run needs item-by-item handling' USING ERRCODE = 'VG499';
    END IF;
    RETURN jsonb_build_object('receipts', v_receipts, 'sessions', to_jsonb(coalesce(v_sessions, '{}')));
  END $function$
