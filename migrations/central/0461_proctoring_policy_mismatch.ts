// Central PostgreSQL: the server checks the proctoring thresholds the device applied too (issue 18
// item 3, completing 0434). The device resolves its proctoring policy (which detectors run, their
// thresholds and minimum durations, the frame rate, the risk weights) from the exam it cached,
// which the candidate can edit: `no_face` after 10 minutes instead of 2 s, gaze checks off. The
// `lockdown_policy` event carries that policy; the server composes the one it would have applied —
// this version's defaults of src-main/proctoring/policy.ts (frozen below, like 0434's lockdown
// defaults: tests/integration/sync/policy-mismatch.test.ts fails if the app's move without a
// migration) < the exam's policy < the candidate's detector profile — keeps only what the app's
// schema keeps, and raises a high server flag `policy_mismatch` (what: 'proctoring') when they
// differ. The check is the trigger of 0434, rewritten so one event can raise both its lockdown and
// its proctoring flags.
import { sql, type Kysely } from 'kysely';

const LOCKDOWN_DEFAULTS = {
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

// src-main/proctoring/policy.ts of this version: defaultPolicy and the built-in detector profiles.
const PROCTORING_DEFAULTS = {
  minFaceScore: 0.5,
  minFrames: 2,
  noFace: { enabled: true, minDurationMs: 2000, clearAfterMs: 1000, severity: 'medium' },
  multipleFaces: { enabled: true, minDurationMs: 1000, clearAfterMs: 1000, severity: 'high' },
  lookingAway: {
    enabled: true,
    minDurationMs: 2000,
    clearAfterMs: 1000,
    severity: 'low',
    maxYawDeg: 25,
    maxPitchDeg: 25,
    gazeEnabled: true,
    maxGazeStrength: 0.45,
  },
  faceMismatch: {
    enabled: true,
    minDurationMs: 3000,
    clearAfterMs: 2000,
    severity: 'high',
    minSimilarity: 0.55,
  },
  cameraBlocked: {
    enabled: true,
    minDurationMs: 2000,
    clearAfterMs: 1000,
    severity: 'high',
    maxBrightness: 25,
    minContrast: 8,
  },
  speech: {
    enabled: false,
    minDurationMs: 1500,
    clearAfterMs: 1000,
    severity: 'medium',
    minVoiceProbability: 0.6,
    minLevelDb: -50,
  },
  micLost: {
    enabled: true,
    minDurationMs: 3000,
    clearAfterMs: 500,
    severity: 'medium',
    silentBelowDb: -100,
    noFramesAfterMs: 5000,
  },
  frames: {
    fps: 2,
    minFps: 0.5,
    queueSize: 4,
    embeddingEveryMs: 10000,
    gazeEveryMs: 1500,
    detectorReuseMs: 2000,
  },
  risk: {
    weights: {
      no_face: 12,
      multiple_faces: 25,
      looking_away: 6,
      face_mismatch: 35,
      camera_blocked: 15,
      speech_detected: 10,
      mic_lost: 8,
      analysis_interrupted: 2,
      app_interrupted: 10,
      focus_lost: 10,
      display_added: 20,
      blocked_process: 25,
      vm_detected: 30,
    },
    referenceDurationS: 30,
  },
};
const DETECTOR_PROFILES = {
  standard: {},
  extended_tolerance: {
    noFace: { minDurationMs: 6000, clearAfterMs: 2000 },
    lookingAway: { minDurationMs: 8000, maxYawDeg: 40, maxPitchDeg: 35 },
    multipleFaces: { minDurationMs: 3000 },
  },
  no_gaze: { lookingAway: { enabled: false, gazeEnabled: false } },
  interpreter_present: { multipleFaces: { enabled: false } },
};

// What the app's schema keeps of a merged policy (zod drops other keys): the defaults' shape, with
// the risk weights a record (any warning type may carry a weight).
const SHAPE = { ...PROCTORING_DEFAULTS, risk: { weights: '*', referenceDurationS: 0 } };

// (The frozen values hold no quote character, so they go into SQL as they are.)
const lit = (value: unknown) => `'${JSON.stringify(value)}'::jsonb`;

// proctoring/policy.ts's merge: objects merge key by key, anything else replaces.
const MERGE = `CREATE FUNCTION vigil.jsonb_merge_deep(p_base jsonb, p_patch jsonb) RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_out jsonb := p_base; k text; v jsonb;
  BEGIN
    IF jsonb_typeof(p_patch) IS DISTINCT FROM 'object' OR jsonb_typeof(p_base) IS DISTINCT FROM 'object' THEN
      RETURN p_base;
    END IF;
    FOR k, v IN SELECT key, value FROM jsonb_each(p_patch) LOOP
      IF jsonb_typeof(v) = 'object' AND jsonb_typeof(v_out->k) = 'object' THEN
        v_out := v_out || jsonb_build_object(k, vigil.jsonb_merge_deep(v_out->k, v));
      ELSE
        v_out := v_out || jsonb_build_object(k, v);
      END IF;
    END LOOP;
    RETURN v_out;
  END $$`;

// Keeps the keys `p_shape` has, level by level (where the shape is not an object, all of it).
const KEEP_SHAPE = `CREATE FUNCTION vigil.jsonb_keep_shape(p_value jsonb, p_shape jsonb) RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_out jsonb := '{}'; k text; v jsonb;
  BEGIN
    IF jsonb_typeof(p_shape) IS DISTINCT FROM 'object' OR jsonb_typeof(p_value) IS DISTINCT FROM 'object' THEN
      RETURN p_value;
    END IF;
    FOR k, v IN SELECT key, value FROM jsonb_each(p_shape) LOOP
      IF p_value ? k THEN v_out := v_out || jsonb_build_object(k, vigil.jsonb_keep_shape(p_value->k, v)); END IF;
    END LOOP;
    RETURN v_out;
  END $$`;

// resolvePolicy(policy, accommodationOf(policy).detectors): defaults < exam policy < detector
// profile (a built-in profile's name, or explicit overrides).
const PROCTORING_POLICY = `CREATE FUNCTION vigil.proctoring_policy(p_policy jsonb) RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_acc jsonb := p_policy->'accommodation'; v_detectors jsonb;
  BEGIN
    v_detectors := CASE jsonb_typeof(v_acc) WHEN 'string' THEN v_acc WHEN 'object' THEN v_acc->'detectors' END;
    IF jsonb_typeof(v_detectors) = 'string' THEN
      v_detectors := ${lit(DETECTOR_PROFILES)}->(v_detectors #>> '{}');
    END IF;
    RETURN vigil.jsonb_keep_shape(
      vigil.jsonb_merge_deep(vigil.jsonb_merge_deep(${lit(PROCTORING_DEFAULTS)}, p_policy), v_detectors),
      ${lit(SHAPE)});
  END $$`;

// The proctoring aspect of the check below.
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

// 0434's check, with the proctoring aspect (down: without); each aspect is flagged once per session.
const check = (proctoring: string) => `CREATE OR REPLACE FUNCTION vigil.check_applied_policy() RETURNS trigger
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
      v_expected := ${lit(LOCKDOWN_DEFAULTS)} || coalesce(v_policy->'lockdown', '{}');
      v_applied := NEW.payload->'policy'->'lockdown';
      IF v_applied IS DISTINCT FROM v_expected THEN
        v_found := v_found || jsonb_build_array(jsonb_build_object('what', 'lockdown',
          'problem', 'the lockdown applied is not the exam''s', 'expected', v_expected, 'applied', v_applied));
      ELSIF coalesce(v_policy->>'requireLockdown', 'false') = 'true' AND NEW.payload->>'available' = 'false' THEN
        v_found := v_found || jsonb_build_array(jsonb_build_object('what', 'browser_mode',
          'problem', 'the exam requires the desktop app''s lockdown and ran without it',
          'expected', v_expected, 'applied', v_applied));
      END IF;
${proctoring}    ELSE
      v_raw := coalesce(v_policy->'accommodation', 'null'::jsonb);
      v_expected := CASE jsonb_typeof(v_raw)
        WHEN 'object' THEN jsonb_build_object('extraTimePercent', coalesce(v_raw->'extraTimePercent', '0'),
          'breaks', coalesce(v_raw->'breaks', 'null'), 'detectors', coalesce(v_raw->'detectors', 'null'))
        WHEN 'string' THEN jsonb_build_object('extraTimePercent', 0, 'breaks', null, 'detectors', v_raw)
        ELSE jsonb_build_object('extraTimePercent', 0, 'breaks', null, 'detectors', null) END;
      v_raw := NEW.payload->'accommodation';
      v_applied := jsonb_build_object('extraTimePercent', v_raw->'extraTimePercent',
        'breaks', coalesce(v_raw->'breaks', 'null'), 'detectors', coalesce(v_raw->'detectors', 'null'));
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
  END $$`;

const FUNCTIONS = [
  'jsonb_merge_deep(jsonb, jsonb)',
  'jsonb_keep_shape(jsonb, jsonb)',
  'proctoring_policy(jsonb)',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(MERGE);
  await run(KEEP_SHAPE);
  await run(PROCTORING_POLICY);
  for (const fn of FUNCTIONS) await run(`REVOKE EXECUTE ON FUNCTION vigil.${fn} FROM PUBLIC`);
  // The worker may read the thresholds the server gives a session (its risk reads session_policy).
  await run(`GRANT EXECUTE ON FUNCTION vigil.proctoring_policy(jsonb) TO vigil_worker`);
  await run(check(PROCTORING_CHECK));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  // Back to 0434's check: without the proctoring aspect.
  await run(check(''));
  for (const fn of [...FUNCTIONS].reverse()) await run(`DROP FUNCTION vigil.${fn}`);
}
