CREATE OR REPLACE FUNCTION vigil.next_central_report(p_session uuid, p_basis bytea)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    PERFORM vigil.lock_central_report(p_session);
    IF EXISTS (SELECT 1 FROM vigil.report_versions r WHERE r.session_id = p_session
               AND r.filed_by = 'worker' AND r.basis = p_basis) THEN
      RETURN NULL;
    END IF;
    RETURN coalesce((SELECT max(r.version) FROM vigil.report_versions r
                     WHERE r.session_id = p_session AND r.filed_by = 'worker'), 0) + 1;
  END $function$
