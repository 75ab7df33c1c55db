CREATE OR REPLACE FUNCTION vigil.jsonb_keep_shape(p_value jsonb, p_shape jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE v_out jsonb := '{}'; k text; v jsonb;
  BEGIN
    IF jsonb_typeof(p_shape) IS DISTINCT FROM 'object' OR jsonb_typeof(p_value) IS DISTINCT FROM 'object' THEN
      RETURN p_value;
    END IF;
    FOR k, v IN SELECT key, value FROM jsonb_each(p_shape) LOOP
      IF p_value ? k THEN v_out := v_out || jsonb_build_object(k, vigil.jsonb_keep_shape(p_value->k, v)); END IF;
    END LOOP;
    RETURN v_out;
  END $function$
