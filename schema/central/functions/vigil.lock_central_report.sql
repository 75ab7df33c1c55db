CREATE OR REPLACE FUNCTION vigil.lock_central_report(p_session uuid)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT pg_advisory_xact_lock(hashtextextended('vigil.central_report:' || p_session::text, 0))
  $function$
