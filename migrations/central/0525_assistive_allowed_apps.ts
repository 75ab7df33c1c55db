// Central PostgreSQL: the server checks the allow-list of the lockdown too (issue 20 item 5). The app
// never reports assistive technology (screen readers, on-screen keyboards, IMEs: a fixed list in the
// app's code), and an exam may allow more programs (`policy.lockdown.allowedApps`, e.g. Zoom for a
// remote sign-language interpreter) and a candidate's accommodation profile named ones
// (`accommodation.allowedApps`, e.g. a calculator). The device applies the exam's list followed by
// the accommodation's (session/exam-options.ts examLockdownInput) and chains it in `lockdown_policy`;
// a candidate who adds AnyDesk to the cached list would no longer be reported running it, so the
// server composes the same list and the check of 0434/0461 raises `policy_mismatch` when they differ.
// - lockdown: the defaults of this version of src-main/lockdown/policy.ts (frozen below, with the new
//   `allowedApps: []`) < the exam's `policy.lockdown` < `allowedApps` = the exam's list || the
//   accommodation's. A chain from an app before this version has no `allowedApps` and applied none:
//   it is compared as an empty list, so those devices are not flagged for being older.
// - accommodation: `interview_started`'s accommodation now records `allowedApps` too; compared with
//   the candidate's profile (none: an empty list), a missing one read as empty likewise.
// The rest of the check is 0461's, unchanged.
import { sql, type Kysely } from 'kysely';

const LOCKDOWN_DEFAULTS_0461 = {
  kiosk: true,
  fullscreen: true,
  alwaysOnTop: true,
  contentProtection: true,
  preventSleep: true,
  clipboard: 'block',
  maxDisplays: 1,
  blockedCategories: ['screen_recorder', 'remote_control', 'virtual_camera', 'chat', 'ai_assistant'],
  virtualMachine: 'warn',
  remoteSession: 'warn',
  forbiddenPrograms: 'warn',
  extraDisplays: 'refuse',
  virtualCamera: 'warn',
  processScanIntervalS: 30,
};

// src-main/lockdown/policy.ts of this version (zod's key order: allowedApps after blockedCategories;
// jsonb does not keep key order, so only the keys and values matter).
const LOCKDOWN_DEFAULTS = { ...LOCKDOWN_DEFAULTS_0461, allowedApps: [] as string[] };

// (The frozen values hold no quote character, so they go into SQL as they are.)
const lit = (value: unknown) => `'${JSON.stringify(value)}'::jsonb`;

// 0461's proctoring aspect, as it is.
const PROCTORING_CHECK = `      v_expected := vigil.proctoring_policy(v_policy);
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
`;

// The lockdown's expected and applied policy: 0461's (down), or with the composed allow-list (up).
const LOCKDOWN_0461 = `      v_expected := ${lit(LOCKDOWN_DEFAULTS_0461)} || coalesce(v_policy->'lockdown', '{}');
      v_applied := NEW.payload->'policy'->'lockdown';
`;
const LOCKDOWN = `      v_raw := coalesce(v_policy->'lockdown', '{}');
      -- The exam's list, then the accommodation's (examLockdownInput); a lockdown part that is not an
      -- object, or a list that is not an array, is compared as it is (the device refuses it too).
      IF jsonb_typeof(v_raw) = 'object' AND jsonb_typeof(coalesce(v_raw->'allowedApps', '[]')) = 'array' THEN
        v_raw := v_raw || jsonb_build_object('allowedApps', coalesce(v_raw->'allowedApps', '[]') ||
          CASE WHEN jsonb_typeof(v_policy->'accommodation') = 'object'
                AND jsonb_typeof(v_policy->'accommodation'->'allowedApps') = 'array'
               THEN v_policy->'accommodation'->'allowedApps' ELSE '[]'::jsonb END);
      END IF;
      v_expected := ${lit(LOCKDOWN_DEFAULTS)} || v_raw;
      v_applied := NEW.payload->'policy'->'lockdown';
      -- An app from before the allow-list applied none.
      IF jsonb_typeof(v_applied) = 'object' AND NOT v_applied ? 'allowedApps' THEN
        v_applied := v_applied || '{"allowedApps": []}'::jsonb;
      END IF;
`;

// The accommodation's expected and applied record: 0461's, or with its allowedApps.
const accommodation = (apps: boolean) => {
  const expectedApps = apps ? `, 'allowedApps', coalesce(v_raw->'allowedApps', '[]')` : '';
  const none = apps ? `, 'allowedApps', '[]'::jsonb` : '';
  return `      v_raw := coalesce(v_policy->'accommodation', 'null'::jsonb);
      v_expected := CASE jsonb_typeof(v_raw)
        WHEN 'object' THEN jsonb_build_object('extraTimePercent', coalesce(v_raw->'extraTimePercent', '0'),
          'breaks', coalesce(v_raw->'breaks', 'null'), 'detectors', coalesce(v_raw->'detectors', 'null')${expectedApps})
        WHEN 'string' THEN jsonb_build_object('extraTimePercent', 0, 'breaks', null, 'detectors', v_raw${none})
        ELSE jsonb_build_object('extraTimePercent', 0, 'breaks', null, 'detectors', null${none}) END;
      v_raw := NEW.payload->'accommodation';
      v_applied := jsonb_build_object('extraTimePercent', v_raw->'extraTimePercent',
        'breaks', coalesce(v_raw->'breaks', 'null'), 'detectors', coalesce(v_raw->'detectors', 'null')${expectedApps});
`;
};

const check = (
  lockdown: string,
  accommodationPart: string,
) => `CREATE OR REPLACE FUNCTION vigil.check_applied_policy() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    v_policy jsonb := vigil.session_policy(NEW.session_id);
    v_raw jsonb;
    v_expected jsonb;
    v_applied jsonb;
    v_found jsonb := '[]';
  BEGIN
    IF v_policy IS NULL THEN RETURN NULL; END IF;
    IF NEW.kind = 'lockdown_policy' THEN
${lockdown}      IF v_applied IS DISTINCT FROM v_expected THEN
        v_found := v_found || jsonb_build_array(jsonb_build_object('what', 'lockdown',
          'problem', 'the lockdown applied is not the exam''s', 'expected', v_expected, 'applied', v_applied));
      ELSIF coalesce(v_policy->>'requireLockdown', 'false') = 'true' AND NEW.payload->>'available' = 'false' THEN
        v_found := v_found || jsonb_build_array(jsonb_build_object('what', 'browser_mode',
          'problem', 'the exam requires the desktop app''s lockdown and ran without it',
          'expected', v_expected, 'applied', v_applied));
      END IF;
${PROCTORING_CHECK}    ELSE
${accommodationPart}      IF v_applied IS DISTINCT FROM v_expected THEN
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
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(check(LOCKDOWN, accommodation(true))).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Back to 0461's check.
  await sql.raw(check(LOCKDOWN_0461, accommodation(false))).execute(db);
}
