CREATE OR REPLACE FUNCTION vigil.quota_value(p jsonb, p_default bigint)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  SELECT CASE WHEN jsonb_typeof(p) = 'number' AND (p::text)::numeric = trunc((p::text)::numeric)
                   AND (p::text)::numeric BETWEEN 1 AND 9223372036854775807
              THEN (p::text)::bigint ELSE p_default END
  $function$
