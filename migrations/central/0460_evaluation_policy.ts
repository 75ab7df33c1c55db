// Central PostgreSQL: who evaluates an exam (issue 18 item 1). The exam's policy says
// `evaluation: 'server'` (the default) or `'device'`, and only a practice exam (`practice: true`)
// may say 'device' (CHECK exams_evaluation_check; the admin tools say so in words first,
// src-main/evaluation/evaluation-policy.ts). The server reads its own exam row, never the device's
// cached copy, so a candidate who edits the cache to 'device' gains nothing:
// - server-evaluated: a device may not write an evaluation (a BEFORE trigger on vigil.evaluations
//   refuses it whatever ingest path it took: the receipt is 'rejected' with the reason and the
//   refusal is filed in vigil.device_refusals, where the proctor sees it, as the write-freeze does)
//   nor a risk score (the session's other changes are taken, its risk stays the server's: nothing
//   from the device; the refusal is filed once per session);
// - device-evaluated (practice): the device's evaluation is stored labelled as made on the device
//   (`label`, set here, not by the device), and the worker is not asked to evaluate the session
//   (its risk is still the server's). vigil.evaluations only ever holds devices' evaluations; the
//   console shows server_evaluations instead whenever one exists.
import { sql, type Kysely } from 'kysely';

const DEVICE_LABEL =
  'Evaluated on the candidate’s device (practice exam): advisory, never a server evaluation.';

// The one place the server decides where a session's exam is evaluated.
const EXAM_EVALUATION = `CREATE FUNCTION vigil.exam_evaluation(p_session uuid) RETURNS text
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN e.policy->>'evaluation' = 'device' AND e.policy->'practice' = 'true'::jsonb
              THEN 'device' ELSE 'server' END
  FROM vigil.sessions s JOIN vigil.exams e ON e.id = s.exam_id WHERE s.id = p_session $$`;

const REFUSE_EVALUATION = `CREATE FUNCTION vigil.refuse_device_evaluation() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    IF NOT pg_has_role(session_user, 'vigil_device', 'MEMBER') THEN RETURN NEW; END IF;
    IF vigil.exam_evaluation(NEW.session_id) IS DISTINCT FROM 'device' THEN
      RAISE EXCEPTION 'session % is evaluated by the server; its device may not write an evaluation',
        NEW.session_id USING ERRCODE = 'check_violation';
    END IF;
    NEW.label := '${DEVICE_LABEL}';
    RETURN NEW;
  END $$`;

// 0402's function, first refusing a device's risk for a server-evaluated exam (down: without).
const REFUSE_RISK = `
    IF pg_has_role(session_user, 'vigil_device', 'MEMBER') AND vigil.exam_evaluation(NEW.id) = 'server' THEN
      INSERT INTO vigil.device_refusals(session_id, device_id, idempotency_key, kind, reason)
      SELECT NEW.id, NEW.device_id, 'risk:' || NEW.id, 'risk',
             'session ' || NEW.id || ' is evaluated by the server; its device may not write a risk score'
      WHERE NOT EXISTS (SELECT 1 FROM vigil.device_refusals r WHERE r.session_id = NEW.id AND r.kind = 'risk');
      NEW.risk_score := OLD.risk_score;
      NEW.risk_factors := OLD.risk_factors;
      RETURN NEW;
    END IF;`;
const riskFromChain = (
  refuse: string,
) => `CREATE OR REPLACE FUNCTION vigil.session_risk_from_chain() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_risk jsonb;
  BEGIN${refuse}
    -- Factors written with the score (owner tools) are judged by the CHECK as they are.
    IF NEW.risk_factors IS DISTINCT FROM OLD.risk_factors THEN RETURN NEW; END IF;
    SELECT e.payload->'risk' INTO v_risk FROM vigil.events e
    WHERE e.session_id = NEW.id AND e.kind = 'session_finished' AND e.hash_valid
      AND jsonb_typeof(e.payload->'risk') = 'object'
    ORDER BY e.seq DESC LIMIT 1;
    IF v_risk IS NULL THEN
      NEW.risk_score := OLD.risk_score;
    ELSE
      NEW.risk_factors := v_risk;
      NEW.risk_score := (v_risk->>'score')::numeric;
    END IF;
    RETURN NEW;
  END $$`;

// 0410's function: the worker evaluates only what the server evaluates.
const REQUEST_ON_FINISH = `CREATE OR REPLACE FUNCTION vigil.request_work_on_finish() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    INSERT INTO vigil.worker_requests(session_id, kind)
    SELECT NEW.id, k FROM unnest(CASE WHEN vigil.exam_evaluation(NEW.id) = 'device'
                                      THEN ARRAY['risk'] ELSE ARRAY['evaluate', 'risk'] END) k
    ON CONFLICT DO NOTHING;
    PERFORM pg_notify('vigil_worker', NEW.id::text);
    RETURN NULL;
  END $$`;

// 0432's function, also filing the refusals above under their session (down: 0432's reasons).
const fileRefusal = (
  reasons: string,
) => `CREATE OR REPLACE FUNCTION vigil.file_device_refusal() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_session uuid;
  BEGIN
    v_session := substring(NEW.reason FROM
      '^session ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) (?:${reasons})')::uuid;
    IF v_session IS NOT NULL AND EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.id = v_session) THEN
      INSERT INTO vigil.device_refusals(session_id, device_id, idempotency_key, kind, reason)
      VALUES (v_session, NEW.device_id, NEW.idempotency_key, NEW.kind, NEW.reason);
    END IF;
    RETURN NULL;
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE vigil.exams ADD CONSTRAINT exams_evaluation_check CHECK (
    coalesce(policy->>'evaluation', 'server') IN ('server', 'device')
    AND (coalesce(policy->>'evaluation', 'server') = 'server' OR coalesce(policy->'practice' = 'true'::jsonb, false)))`);
  await run(`ALTER TABLE vigil.evaluations ADD COLUMN label text`);
  await run(EXAM_EVALUATION);
  await run(REFUSE_EVALUATION);
  await run(riskFromChain(REFUSE_RISK));
  await run(REQUEST_ON_FINISH);
  await run(fileRefusal('is finished|has a proctor decision|is evaluated by the server'));
  for (const fn of ['exam_evaluation(uuid)', 'refuse_device_evaluation()'])
    await run(`REVOKE EXECUTE ON FUNCTION vigil.${fn} FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.exam_evaluation(uuid) TO vigil_worker`);
  // "c_" so it judges after the server's stamping (a_) and the write-freeze (b_).
  await run(`CREATE TRIGGER c_refuse_device_evaluation BEFORE INSERT OR UPDATE ON vigil.evaluations
    FOR EACH ROW EXECUTE FUNCTION vigil.refuse_device_evaluation()`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP TRIGGER c_refuse_device_evaluation ON vigil.evaluations`);
  await run(`DROP FUNCTION vigil.refuse_device_evaluation()`);
  // The earlier bodies (0402, 0410, 0432), before exam_evaluation goes.
  await run(riskFromChain(''));
  await run(`CREATE OR REPLACE FUNCTION vigil.request_work_on_finish() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    INSERT INTO vigil.worker_requests(session_id, kind)
    VALUES (NEW.id, 'evaluate'), (NEW.id, 'risk') ON CONFLICT DO NOTHING;
    PERFORM pg_notify('vigil_worker', NEW.id::text);
    RETURN NULL;
  END $$`);
  await run(fileRefusal('is finished|has a proctor decision'));
  await run(`DROP FUNCTION vigil.exam_evaluation(uuid)`);
  await run(`ALTER TABLE vigil.evaluations DROP COLUMN label`);
  await run(`ALTER TABLE vigil.exams DROP CONSTRAINT exams_evaluation_check`);
}
