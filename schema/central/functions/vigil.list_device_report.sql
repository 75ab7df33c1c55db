CREATE OR REPLACE FUNCTION vigil.list_device_report()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    BEGIN
      IF NEW.payload->>'reportId' IS NULL OR NEW.payload->>'sha256' !~ '^[0-9a-f]{64}$' THEN RETURN NULL; END IF;
      INSERT INTO vigil.report_versions(session_id, report_id, version, reason, sha256, filed_by, created_at)
      VALUES (NEW.session_id, left(NEW.payload->>'reportId', 100),
              greatest(coalesce((NEW.payload->>'version')::integer, 1), 1),
              left(coalesce(NEW.payload->>'reason', ''), 100), decode(NEW.payload->>'sha256', 'hex'), 'device',
              least(NEW.occurred_at, now()))
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $function$
