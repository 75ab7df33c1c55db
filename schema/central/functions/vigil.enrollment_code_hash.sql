CREATE OR REPLACE FUNCTION vigil.enrollment_code_hash(p_code text, p_salt bytea)
 RETURNS bytea
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
      SELECT sha256((SELECT pepper FROM vigil.enrollment_pepper) || p_salt
                    || convert_to(upper(regexp_replace(p_code, '[^0-9A-Za-z]', '', 'g')), 'UTF8'))
    $function$
