CREATE OR REPLACE FUNCTION vigil.new_exam_key()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    INSERT INTO vigil.exam_keys (exam_id, content_key) VALUES (NEW.id, vigil_crypto.gen_random_bytes(32));
    RETURN NULL;
  END $function$
