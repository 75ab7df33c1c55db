CREATE OR REPLACE FUNCTION vigil.receipts_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    RAISE EXCEPTION 'retention receipts are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
  END $function$
