CREATE OR REPLACE FUNCTION vigil.check_applied_policy()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE
    v_policy jsonb := vigil.session_policy(NEW.session_id);
    v_raw jsonb;
    v_expected jsonb;
    v_applied jsonb;
    v_found jsonb := '[]';
  BEGIN
    IF v_policy IS NULL THEN RETURN NULL; END IF;
    IF NEW.kind = 'lockdown_policy' THEN
      v_raw := coalesce(v_policy->'lockdown', '{}');
      -- The exam's list, then the accommodation's (examLockdownInput); a lockdown part that is not an
      -- object, or a list that is not an array, is compared as it is (the device refuses it too).
      IF jsonb_typeof(v_raw) = 'object' AND jsonb_typeof(coalesce(v_raw->'allowedApps', '[]')) = 'array' THEN
        v_raw := v_raw || jsonb_build_object('allowedApps', coalesce(v_raw->'allowedApps', '[]') ||
          CASE WHEN jsonb_typeof(v_policy->'accommodation') = 'object'
                AND jsonb_typeof(v_policy->'accommodation'->'allowedApps') = 'array'
               THEN v_policy->'accommodation'->'allowedApps' ELSE '[]'::jsonb END);
      END IF;
      v_expected := '{"kiosk":true,"fullscreen":true,"alwaysOnTop":true,"contentProtection":true,"preventSleep":true,"clipboard":"block","maxDisplays":1,"blockedCategories":["screen_recorder","remote_control","virtual_camera","chat","ai_assistant"],"virtualMachine":"warn","remoteSession":"warn","forbiddenPrograms":"warn","extraDisplays":"refuse","virtualCamera":"warn","processScanIntervalS":30,"allowedApps":[]}'::jsonb || v_raw;
      v_applied := NEW.payload->'policy'->'lockdown';
      -- An app from before the allow-list applied none.
      IF jsonb_typeof(v_applied) = 'object' AND NOT v_applied ? 'allowedApps' THEN
        v_applied := v_applied || '{"allowedApps": []}'::jsonb;
      END IF;
      IF v_applied IS DISTINCT FROM v_expected THEN
        v_found := v_found || jsonb_build_array(jsonb_build_object('what', 'lockdown',
          'problem', 'the lockdown applied is not the exam''s', 'expected', v_expected, 'applied', v_applied));
      ELSIF coalesce(v_policy->>'requireLockdown', 'false') = 'true' AND NEW.payload->>'available' = 'false' THEN
        v_found := v_found || jsonb_build_array(jsonb_build_object('what', 'browser_mode',
          'problem', 'the exam requires the desktop app''s lockdown and ran without it',
          'expected', v_expected, 'applied', v_applied));
      END IF;
      v_expected := vigil.proctoring_policy(v_policy);
      v_applied := NEW.payload->'policy'->'proctoring';
      IF v_applied IS DISTINCT FROM v_expected THEN
        -- The settings that differ (section.setting), so the proctor need not compare two policies.
        v_found := v_found || jsonb_build_array(jsonb_build_object('what', 'proctoring',
          'problem', 'the proctoring thresholds applied are not the exam''s',
          'expected', v_expected, 'applied', v_applied,
          'differs', (SELECT coalesce(jsonb_agg(d.path ORDER BY d.path), '[]') FROM (
            SELECT CASE WHEN s.key IS NULL THEN e.key ELSE e.key || '.' || s.key END AS path
            FROM jsonb_each(v_expected) e
            LEFT JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(e.value) = 'object' AND e.key <> 'risk'
                                              THEN e.value ELSE '{}' END) s ON true
            WHERE CASE WHEN s.key IS NULL THEN (v_applied->e.key) IS DISTINCT FROM e.value
                       ELSE (v_applied->e.key->s.key) IS DISTINCT FROM s.value END) d)));
      END IF;
    ELSE
      v_raw := coalesce(v_policy->'accommodation', 'null'::jsonb);
      v_expected := CASE jsonb_typeof(v_raw)
        WHEN 'object' THEN jsonb_build_object('extraTimePercent', coalesce(v_raw->'extraTimePercent', '0'),
          'breaks', coalesce(v_raw->'breaks', 'null'), 'detectors', coalesce(v_raw->'detectors', 'null'), 'allowedApps', coalesce(v_raw->'allowedApps', '[]'))
        WHEN 'string' THEN jsonb_build_object('extraTimePercent', 0, 'breaks', null, 'detectors', v_raw, 'allowedApps', '[]'::jsonb)
        ELSE jsonb_build_object('extraTimePercent', 0, 'breaks', null, 'detectors', null, 'allowedApps', '[]'::jsonb) END;
      v_raw := NEW.payload->'accommodation';
      v_applied := jsonb_build_object('extraTimePercent', v_raw->'extraTimePercent',
        'breaks', coalesce(v_raw->'breaks', 'null'), 'detectors', coalesce(v_raw->'detectors', 'null'), 'allowedApps', coalesce(v_raw->'allowedApps', '[]'));
      IF v_applied IS DISTINCT FROM v_expected THEN
        v_found := v_found || jsonb_build_array(jsonb_build_object('what', 'accommodation',
          'problem', 'the accommodation applied is not the candidate''s', 'expected', v_expected, 'applied', v_applied));
      END IF;
    END IF;
    INSERT INTO vigil.warnings(id, session_id, type, severity, started_at, ended_at, confidence, details, source)
    SELECT gen_random_uuid(), NEW.session_id, 'policy_mismatch', 'high', NEW.occurred_at, NEW.occurred_at, 1,
           f || jsonb_build_object('seq', NEW.seq, 'detector', 'server'), 'server'
    FROM jsonb_array_elements(v_found) f
    WHERE NOT EXISTS (SELECT 1 FROM vigil.warnings w WHERE w.session_id = NEW.session_id
                      AND w.type = 'policy_mismatch' AND w.source = 'server' AND w.details->>'what' = f->>'what');
    RETURN NULL;
  END $function$
