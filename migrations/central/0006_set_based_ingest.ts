// Central PostgreSQL: the device ingest path made set-based. 0005's vigil.ingest walked the batch
// in a plpgsql loop to find runs of events and its event fast path read every item's JSON three
// times (a regex pre-check pass, a decode pass, a receipts join); profiling put ~83% of a sync in
// that function. Same signatures, same SECURITY DEFINER with pinned search_path, same receipts and
// rejection semantics (a run that is not clean still goes item by item through 0005's
// vigil.ingest_one), same chain verification (0005's vigil.advance_chain), same events rows.
// The two replaced functions also get a lock_timeout. A function-level statement_timeout would not
// bound the statement already running, so the statement timeout lives on each device login
// (createDeviceLogin in src-main/central/admin.ts).
import { sql, type Kysely } from 'kysely';

const FUNCTIONS = [
  // A run of consecutive events in one statement: every item is unpacked once (jsonb_to_recordset,
  // its body parsed once with jsonb_to_record), checked (well-formed, hash recomputed, session
  // belongs to this device, checked once per distinct session), inserted with ON CONFLICT DO
  // NOTHING on (session, seq) and answered with a receipt. Any malformed item raises (a cast error
  // or VG499) and the caller redoes the run item by item, which records each problem precisely.
  `CREATE OR REPLACE FUNCTION vigil.ingest_event_run(d vigil.devices, p_run jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET lock_timeout = '5s' AS $$
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
  END $$`,

  // The batch is split into runs set-based (one query), not by a plpgsql walk over every item: a
  // run of consecutive events goes through ingest_run, any other item through ingest_one.
  `CREATE OR REPLACE FUNCTION vigil.ingest(p_token text, p_items jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET lock_timeout = '5s' AS $$
  DECLARE
    d vigil.devices := vigil.device_auth(p_token);
    g record; r jsonb; res jsonb; v_sid uuid; receipts jsonb := '[]'; touched uuid[] := '{}';
  BEGIN
    IF p_items IS NULL OR jsonb_typeof(p_items) <> 'array' OR jsonb_array_length(p_items) > 2000 THEN
      RAISE EXCEPTION 'items must be an array of at most 2000' USING ERRCODE = 'VG400';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(p_items) x(it)
                   WHERE (x.it->>'kind') IS DISTINCT FROM 'event') THEN
      -- The common batch: events only, one run, no regrouping.
      IF jsonb_array_length(p_items) > 0 THEN
        res := vigil.ingest_run(d, p_items);
        receipts := res->'receipts';
        touched := ARRAY(SELECT value::uuid FROM jsonb_array_elements_text(res->'sessions'));
      END IF;
    ELSE
      FOR g IN
        WITH k AS (
          SELECT x.ord, x.it, (x.it->>'kind') IS NOT DISTINCT FROM 'event' AS ev
          FROM jsonb_array_elements(p_items) WITH ORDINALITY x(it, ord)
        ), s AS (
          -- An item starts a new group unless it and the item before it are both events.
          SELECT k.*, CASE WHEN k.ev AND lag(k.ev) OVER (ORDER BY k.ord) THEN 0 ELSE 1 END AS starts FROM k
        ), n AS (
          SELECT s.*, sum(s.starts) OVER (ORDER BY s.ord) AS grp FROM s
        )
        SELECT n.grp, bool_and(n.ev) AS ev, jsonb_agg(n.it ORDER BY n.ord) AS items
        FROM n GROUP BY n.grp ORDER BY n.grp
      LOOP
        IF g.ev THEN
          res := vigil.ingest_run(d, g.items);
          receipts := receipts || (res->'receipts');
          touched := touched || ARRAY(SELECT value::uuid FROM jsonb_array_elements_text(res->'sessions'));
        ELSE
          r := vigil.ingest_one(d, g.items->0);
          receipts := receipts || jsonb_build_array(r->'receipt');
          IF r->>'session' IS NOT NULL THEN touched := touched || (r->>'session')::uuid; END IF;
        END IF;
      END LOOP;
    END IF;
    FOR v_sid IN SELECT DISTINCT u FROM unnest(touched) u LOOP
      PERFORM vigil.advance_chain(v_sid);
    END LOOP;
    UPDATE vigil.devices SET last_seen_at = now() WHERE id = d.id;
    RETURN receipts;
  END $$`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const text of FUNCTIONS) await sql.raw(text).execute(db);
  // CREATE OR REPLACE keeps each function's grants; this guards any function added here later.
  await sql.raw(`REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA vigil FROM PUBLIC`).execute(db);
}

/** 0005's definitions of the two functions replaced here, as 0006 found them. */
const FUNCTIONS_0005 = [
  `CREATE OR REPLACE FUNCTION vigil.ingest_event_run(d vigil.devices, p_run jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_bad integer; v_all_ok boolean; v_dups_ok boolean; v_sessions uuid[]; v_receipts jsonb;
  BEGIN
    SELECT count(*) INTO v_bad FROM jsonb_array_elements(p_run) x(it)
    WHERE NOT coalesce(length(it->>'key') BETWEEN 1 AND 200
                       AND length(it->'payload'->>'body') <= 1000000
                       AND it->'payload'->>'prevHash' ~ '^[0-9a-f]{64}$'
                       AND it->'payload'->>'hash' ~ '^[0-9a-f]{64}$', false);
    IF v_bad > 0 THEN
      RAISE EXCEPTION 'run needs item-by-item handling' USING ERRCODE = 'VG499';
    END IF;
    -- One statement, no temp table (a device could plant one in its own session).
    WITH typed AS (
      SELECT x.ord, x.it->>'key' AS key, (p.j->>'sessionId')::uuid AS sid, (p.j->>'seq')::integer AS seq,
             p.j->>'kind' AS kind, (p.j->>'at')::timestamptz AS at, x.it->'payload'->>'body' AS body,
             coalesce(p.j->'data', '{}') AS data, decode(x.it->'payload'->>'prevHash', 'hex') AS prev,
             decode(x.it->'payload'->>'hash', 'hex') AS hash
      FROM jsonb_array_elements(p_run) WITH ORDINALITY x(it, ord),
           LATERAL (SELECT (x.it->'payload'->>'body')::jsonb AS j) p
    ), checked AS (
      SELECT t.*, coalesce(t.seq >= 1 AND t.kind IS NOT NULL AND t.at IS NOT NULL
                           AND sha256(t.prev || convert_to(t.body, 'UTF8')) = t.hash
                           AND EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.id = t.sid AND s.device_id = d.id),
                           false) AS ok
      FROM typed t
    ), verdict AS (
      SELECT bool_and(c.ok) AS all_ok FROM checked c
    ), ins AS (
      INSERT INTO vigil.events(session_id, seq, kind, occurred_at, body, payload, prev_hash, hash, hash_valid)
      SELECT c.sid, c.seq, c.kind, c.at, c.body, c.data, c.prev, c.hash, true
      FROM checked c, verdict v WHERE v.all_ok ORDER BY c.ord
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
    IF NOT v_all_ok OR NOT v_dups_ok THEN
      RAISE EXCEPTION 'run needs item-by-item handling' USING ERRCODE = 'VG499';
    END IF;
    RETURN jsonb_build_object('receipts', v_receipts, 'sessions', to_jsonb(coalesce(v_sessions, '{}')));
  END $$`,

  `CREATE OR REPLACE FUNCTION vigil.ingest(p_token text, p_items jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    d vigil.devices := vigil.device_auth(p_token);
    it jsonb; r jsonb; res jsonb; v_sid uuid; n integer := 0; run_start integer := 0; total integer;
    receipts jsonb := '[]'; touched uuid[] := '{}';
  BEGIN
    IF p_items IS NULL OR jsonb_typeof(p_items) <> 'array' OR jsonb_array_length(p_items) > 2000 THEN
      RAISE EXCEPTION 'items must be an array of at most 2000' USING ERRCODE = 'VG400';
    END IF;
    total := jsonb_array_length(p_items);
    FOR it IN SELECT value FROM jsonb_array_elements(p_items) LOOP
      n := n + 1; -- 1-based position of it; p_items->n is the next item
      IF it->>'kind' = 'event' THEN
        IF run_start = 0 THEN run_start := n; END IF;
        -- A run of events ends where the next item is not an event: flush it before that item.
        IF n < total AND (p_items->n)->>'kind' = 'event' THEN CONTINUE; END IF;
        res := vigil.ingest_run(d, (SELECT jsonb_agg(x.value ORDER BY x.ord)
                                    FROM jsonb_array_elements(p_items) WITH ORDINALITY x(value, ord)
                                    WHERE x.ord BETWEEN run_start AND n));
        run_start := 0;
        receipts := receipts || (res->'receipts');
        touched := touched || ARRAY(SELECT value::uuid FROM jsonb_array_elements_text(res->'sessions'));
      ELSE
        r := vigil.ingest_one(d, it);
        receipts := receipts || jsonb_build_array(r->'receipt');
        IF r->>'session' IS NOT NULL THEN touched := touched || (r->>'session')::uuid; END IF;
      END IF;
    END LOOP;
    FOR v_sid IN SELECT DISTINCT u FROM unnest(touched) u LOOP
      PERFORM vigil.advance_chain(v_sid);
    END LOOP;
    UPDATE vigil.devices SET last_seen_at = now() WHERE id = d.id;
    RETURN receipts;
  END $$`,
];

export async function down(db: Kysely<unknown>): Promise<void> {
  // CREATE OR REPLACE also drops 0006's lock_timeout: the SET clauses are replaced as a whole.
  for (const text of FUNCTIONS_0005) await sql.raw(text).execute(db);
}
