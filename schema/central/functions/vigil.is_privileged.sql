CREATE OR REPLACE FUNCTION vigil.is_privileged()
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
    SELECT pg_catalog.pg_has_role('vigil_admin', 'MEMBER') OR pg_catalog.pg_has_role('vigil_owner', 'MEMBER')
  $function$
