CREATE OR REPLACE FUNCTION vigil.visible_user_ids(who name)
 RETURNS SETOF uuid
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
      SELECT s.candidate_id FROM vigil.sessions s WHERE s.exam_id IN (SELECT vigil.visible_exam_ids(who))
      UNION
      SELECT en.candidate_id FROM vigil.enrollments en WHERE en.exam_id IN (SELECT vigil.visible_exam_ids(who))
    $function$
