CREATE OR REPLACE FUNCTION vigil.next_central_report(p_session uuid, p_basis bytea)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    -- Held to the end of the caller's transaction, across the rendering and the filing.
    PERFORM pg_advisory_xact_lock(hashtextextended('vigil.central_report:' || p_session::text, 0));
    IF EXISTS (SELECT 1 FROM vigil.report_versions r WHERE r.session_id = p_session
               AND r.filed_by = 'worker' AND r.basis = p_basis) THEN
      RETURN NULL;
    END IF;
    RETURN coalesce((SELECT max(r.version) FROM vigil.report_versions r
                     WHERE r.session_id = p_session AND r.filed_by = 'worker'), 0) + 1;
  END $function$
