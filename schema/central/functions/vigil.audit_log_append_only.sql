CREATE OR REPLACE FUNCTION vigil.audit_log_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    -- A foreign key's ON DELETE SET NULL (a user or device deleted): only those columns, only to NULL.
    IF TG_OP = 'UPDATE' AND pg_catalog.pg_trigger_depth() > 1
       AND (NEW.actor_user_id IS NULL OR NEW.actor_user_id = OLD.actor_user_id)
       AND (NEW.device_id IS NULL OR NEW.device_id = OLD.device_id)
       AND pg_catalog.to_jsonb(NEW) - 'actor_user_id' - 'device_id'
           = pg_catalog.to_jsonb(OLD) - 'actor_user_id' - 'device_id' THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'Audit rows are never changed or deleted; add a new row that corrects the record.';
  END $function$
