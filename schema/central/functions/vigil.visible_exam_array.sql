CREATE OR REPLACE FUNCTION vigil.visible_exam_array(who name)
 RETURNS uuid[]
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
      SELECT coalesce(array_agg(x), '{}') FROM vigil.visible_exam_ids(who) AS x
    $function$
