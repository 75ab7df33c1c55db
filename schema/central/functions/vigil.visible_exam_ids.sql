CREATE OR REPLACE FUNCTION vigil.visible_exam_ids(who name)
 RETURNS SETOF uuid
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
      SELECT pa.exam_id FROM vigil.proctor_assignments pa
      JOIN vigil.users u ON u.id = pa.proctor_id
      JOIN pg_catalog.pg_roles r ON r.rolname = u.pg_role
      WHERE u.pg_role = who AND pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER')
    $function$
