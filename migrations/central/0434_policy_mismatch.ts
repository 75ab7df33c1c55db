// Central PostgreSQL: the server checks what the device applied (issue 18 item 3). The exam's policy
// and the candidate's accommodation are known centrally, but the device reads them from its own
// cache, which the candidate can edit (kiosk off, 300 % extra time). When the session's chain
// brings what was applied, a trigger compares it with what the server would have applied and raises
// a high server flag `policy_mismatch` (one per aspect) when they differ:
// - lockdown: the `lockdown_policy` event's policy must equal the exam's `policy.lockdown` over the
//   defaults of this version of src-main/lockdown/policy.ts (LOCKDOWN_DEFAULTS below, frozen here;
//   tests/integration/sync/policy-mismatch.test.ts fails if the app's defaults move without a
//   migration), and an exam with `policy.requireLockdown: true` must not run in browser mode;
// - accommodation: the `interview_started` event's accommodation (extra time, breaks, detector
//   profile) must be the enrollment's profile, or the exam's own, or none.
// The proctoring thresholds are derived on the device by code the server does not run; the central
// worker will check them (see README). `vigil.session_policy` is the one place the server composes a
// candidate's policy (the central worker's risk reads it too).
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

// The policy the server gives a session's candidate: the exam's, with the enrollment's
// accommodation profile in place of the exam's own (what fetch_exam hands the device). The one
// definition the server's checks (below) and the central worker's risk read.
const SESSION_POLICY = `CREATE FUNCTION vigil.session_policy(p_session uuid) RETURNS jsonb
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN a.profile IS NULL THEN e.policy
              ELSE e.policy || jsonb_build_object('accommodation', a.profile) END
  FROM vigil.sessions s JOIN vigil.exams e ON e.id = s.exam_id
  LEFT JOIN vigil.devices d ON d.id = s.device_id
  LEFT JOIN vigil.enrollments en ON en.id = d.enrollment_id
  LEFT JOIN LATERAL (
    SELECT p AS profile FROM jsonb_array_elements(e.accommodation_profiles) p
    WHERE en.accommodation IS NOT NULL AND p->>'name' = en.accommodation LIMIT 1
  ) a ON true
  WHERE s.id = p_session $$`;

const CHECK = `CREATE FUNCTION vigil.check_applied_policy() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    v_policy jsonb := vigil.session_policy(NEW.session_id);
    v_raw jsonb;
    v_expected jsonb;
    v_applied jsonb;
    v_what text;
    v_problem text;
  BEGIN
    IF v_policy IS NULL THEN RETURN NULL; END IF;
    IF NEW.kind = 'lockdown_policy' THEN
      v_what := 'lockdown';
      v_expected := '${JSON.stringify(LOCKDOWN_DEFAULTS)}'::jsonb || coalesce(v_policy->'lockdown', '{}');
      v_applied := NEW.payload->'policy'->'lockdown';
      IF v_applied IS DISTINCT FROM v_expected THEN
        v_problem := 'the lockdown applied is not the exam''s';
      ELSIF coalesce(v_policy->>'requireLockdown', 'false') = 'true' AND NEW.payload->>'available' = 'false' THEN
        v_what := 'browser_mode';
        v_problem := 'the exam requires the desktop app''s lockdown and ran without it';
      END IF;
    ELSE
      v_what := 'accommodation';
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
        v_problem := 'the accommodation applied is not the candidate''s';
      END IF;
    END IF;
    IF v_problem IS NOT NULL THEN
      INSERT INTO vigil.warnings(id, session_id, type, severity, started_at, ended_at, confidence, details, source)
      SELECT gen_random_uuid(), NEW.session_id, 'policy_mismatch', 'high', NEW.occurred_at, NEW.occurred_at, 1,
             jsonb_build_object('what', v_what, 'problem', v_problem, 'expected', v_expected,
               'applied', v_applied, 'seq', NEW.seq, 'detector', 'server'),
             'server'
      WHERE NOT EXISTS (SELECT 1 FROM vigil.warnings w WHERE w.session_id = NEW.session_id
                        AND w.type = 'policy_mismatch' AND w.source = 'server' AND w.details->>'what' = v_what);
    END IF;
    RETURN NULL;
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(SESSION_POLICY);
  await run(CHECK);
  for (const fn of ['session_policy(uuid)', 'check_applied_policy()'])
    await run(`REVOKE EXECUTE ON FUNCTION vigil.${fn} FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.session_policy(uuid) TO vigil_worker`);
  await run(`CREATE TRIGGER check_applied_policy AFTER INSERT ON vigil.events FOR EACH ROW
    WHEN (NEW.kind IN ('lockdown_policy', 'interview_started')) EXECUTE FUNCTION vigil.check_applied_policy()`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP TRIGGER check_applied_policy ON vigil.events`);
  await run(`DROP FUNCTION vigil.check_applied_policy()`);
  await run(`DROP FUNCTION vigil.session_policy(uuid)`);
}
