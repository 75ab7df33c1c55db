CREATE OR REPLACE FUNCTION vigil.search_candidate_ids(who name, pattern text)
 RETURNS SETOF uuid
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
      SELECT u.id FROM vigil.users u
      WHERE u.role = 'candidate' AND (u.email ILIKE pattern OR u.display_name ILIKE pattern)
        AND (pg_catalog.pg_has_role(session_user, 'vigil_admin', 'MEMBER')
             OR EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.candidate_id = u.id
                        AND s.exam_id = ANY (vigil.visible_exam_array(who))))
    $function$
