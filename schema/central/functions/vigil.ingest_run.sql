CREATE OR REPLACE FUNCTION vigil.ingest_run(d vigil.devices, p_run jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE it jsonb; r jsonb; receipts jsonb := '[]'; sessions jsonb := '[]';
  BEGIN
    BEGIN
      RETURN vigil.ingest_event_run(d, p_run);
    EXCEPTION WHEN data_exception OR integrity_constraint_violation OR SQLSTATE 'VG499' THEN
      NULL; -- fall through: item by item
    END;
    FOR it IN SELECT value FROM jsonb_array_elements(p_run) LOOP
      r := vigil.ingest_one(d, it);
      receipts := receipts || jsonb_build_array(r->'receipt');
      IF r->>'session' IS NOT NULL THEN sessions := sessions || jsonb_build_array(r->'session'); END IF;
    END LOOP;
    RETURN jsonb_build_object('receipts', receipts, 'sessions', sessions);
  END $function$
