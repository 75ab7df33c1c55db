CREATE OR REPLACE FUNCTION vigil.visible_session_ids(who name)
 RETURNS SETOF uuid
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
      SELECT s.id FROM vigil.sessions s WHERE s.exam_id IN (SELECT vigil.visible_exam_ids(who))
    $function$
