CREATE OR REPLACE FUNCTION vigil.jsonb_merge_deep(p_base jsonb, p_patch jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE v_out jsonb := p_base; k text; v jsonb;
  BEGIN
    IF jsonb_typeof(p_patch) IS DISTINCT FROM 'object' OR jsonb_typeof(p_base) IS DISTINCT FROM 'object' THEN
      RETURN p_base;
    END IF;
    FOR k, v IN SELECT key, value FROM jsonb_each(p_patch) LOOP
      IF jsonb_typeof(v) = 'object' AND jsonb_typeof(v_out->k) = 'object' THEN
        v_out := v_out || jsonb_build_object(k, vigil.jsonb_merge_deep(v_out->k, v));
      ELSE
        v_out := v_out || jsonb_build_object(k, v);
      END IF;
    END LOOP;
    RETURN v_out;
  END $function$
