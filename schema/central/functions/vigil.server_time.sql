CREATE OR REPLACE FUNCTION vigil.server_time()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE
    v_column text := TG_ARGV[0];
    v_stamp jsonb;
    v_user uuid;
  BEGIN
    IF TG_OP = 'INSERT' OR TG_ARGV[1] = 'on_update' THEN
      v_stamp := jsonb_build_object(v_column, clock_timestamp());
    ELSE
      v_stamp := jsonb_build_object(v_column, to_jsonb(OLD) -> v_column);
    END IF;
    IF TG_TABLE_NAME = 'audit_log' AND TG_OP = 'INSERT' THEN
      SELECT u.id INTO v_user FROM vigil.users u WHERE u.pg_role = session_user;
      v_stamp := v_stamp || jsonb_build_object('actor_role', session_user::text);
      IF v_user IS NOT NULL THEN v_stamp := v_stamp || jsonb_build_object('actor_user_id', v_user); END IF;
    END IF;
    NEW := jsonb_populate_record(NEW, v_stamp);
    RETURN NEW;
  END $function$
