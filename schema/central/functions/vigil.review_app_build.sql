CREATE OR REPLACE FUNCTION vigil.review_app_build()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    DECLARE
      v_version text := NEW.payload->>'appVersion';
      v_hash text := NEW.payload->>'buildHash';
      v_reason text;
    BEGIN
      IF v_version IS NULL OR NOT EXISTS
           (SELECT 1 FROM vigil.known_app_builds k WHERE k.app_version = v_version) THEN
        v_reason := 'unknown app version ' || coalesce(v_version, '(none reported)');
      ELSIF v_hash IS NULL OR NOT EXISTS
           (SELECT 1 FROM vigil.known_app_builds k WHERE k.app_version = v_version AND k.build_hash = v_hash) THEN
        v_reason := 'app version ' || v_version || ' with an unknown build hash';
      ELSE
        RETURN NULL;
      END IF;
      INSERT INTO vigil.warnings(id, session_id, type, severity, started_at, ended_at, confidence, details, source)
      VALUES (gen_random_uuid(), NEW.session_id, 'unknown_app_build', 'high', NEW.occurred_at, NEW.occurred_at, 1,
              jsonb_build_object('reason', v_reason, 'appVersion', v_version, 'buildHash', v_hash,
                'origin', NEW.payload->>'origin', 'platform', NEW.payload->>'platform',
                'seq', NEW.seq, 'detector', 'server'),
              'server')
      ON CONFLICT (session_id, (coalesce(details->>'appVersion', '')), (coalesce(details->>'buildHash', '')))
        WHERE type = 'unknown_app_build' AND source = 'server'
        DO NOTHING;
      RETURN NULL;
    END $function$
