CREATE OR REPLACE FUNCTION vigil.ingest(p_token text, p_items jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
 SET lock_timeout TO '5s'
AS $function$
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
  END $function$
