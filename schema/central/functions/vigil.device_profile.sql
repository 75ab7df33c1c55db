CREATE OR REPLACE FUNCTION vigil.device_profile(p_token text)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    DECLARE d vigil.devices; v_name text;
    BEGIN
      d := vigil.device_auth(p_token);
      SELECT u.display_name INTO v_name FROM vigil.users u WHERE u.id = d.candidate_id;
      RETURN jsonb_build_object('candidateId', d.candidate_id, 'displayName', v_name);
    END $function$
