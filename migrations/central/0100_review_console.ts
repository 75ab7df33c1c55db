// Central PostgreSQL for the proctor console (issue 9): session decisions cleared / flagged /
// invalidated, accommodation profiles on exams, the indexes the risk-ranked queue and the session
// review need at 100,000 sessions, and an audit trigger that records before → after for every
// review and decision (next to 0004's trigger, which keeps the raw new row).
import { sql, type Kysely } from 'kysely';

const INDEXES: Record<string, string> = {
  // Keyset paging: ORDER BY coalesce(risk_score, -1) DESC, id DESC, scanned backward.
  sessions_queue: `vigil.sessions ((coalesce(risk_score, -1)), id)`,
  sessions_exam_queue: `vigil.sessions (exam_id, (coalesce(risk_score, -1)), id)`,
  sessions_exam_started: `vigil.sessions (exam_id, started_at)`,
  warnings_session_time: `vigil.warnings (session_id, started_at)`,
  warnings_type_session: `vigil.warnings (type, session_id)`,
  reviews_warning: `vigil.reviews (warning_id, created_at)`,
  session_decisions_session: `vigil.session_decisions (session_id, created_at)`,
  audit_log_target: `vigil.audit_log (target_table, target_id, at)`,
  enrollments_exam: `vigil.enrollments (exam_id)`,
  enrollments_candidate: `vigil.enrollments (candidate_id)`,
  devices_exam: `vigil.devices (exam_id)`,
  devices_candidate: `vigil.devices (candidate_id)`,
  token_usage_session: `vigil.token_usage (session_id)`,
  token_usage_user: `vigil.token_usage (user_id)`,
  questions_session: `vigil.questions (session_id, ordinal)`,
};

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE vigil.session_decisions DROP CONSTRAINT session_decisions_decision_check`);
  await run(`ALTER TABLE vigil.session_decisions ADD CONSTRAINT session_decisions_decision_check
    CHECK (decision IN ('cleared', 'flagged', 'invalidated', 'pass', 'fail', 'retake', 'needs_review'))`);
  await run(`ALTER TABLE vigil.exams ADD COLUMN accommodation_profiles jsonb NOT NULL DEFAULT '[]'
    CHECK (jsonb_typeof(accommodation_profiles) = 'array')`);
  for (const [name, target] of Object.entries(INDEXES)) await run(`CREATE INDEX ${name} ON ${target}`);

  // Before → after: the same reviewer's previous verdict on the warning, or the session's previous
  // decision. Definer so proctors (who cannot touch audit_log) still leave their trail.
  await run(`CREATE FUNCTION vigil.audit_verdict() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE
      prior jsonb;
      target text;
      sid uuid;
    BEGIN
      IF TG_TABLE_NAME = 'reviews' THEN
        SELECT pg_catalog.jsonb_build_object('verdict', r.verdict, 'comment', r.comment, 'at', r.created_at)
          INTO prior FROM vigil.reviews r
          WHERE r.warning_id = NEW.warning_id AND r.reviewer_id IS NOT DISTINCT FROM NEW.reviewer_id
            AND r.id <> NEW.id
          ORDER BY r.created_at DESC LIMIT 1;
        SELECT w.session_id INTO sid FROM vigil.warnings w WHERE w.id = NEW.warning_id;
        INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
        VALUES (session_user, NEW.reviewer_id, 'review_warning', 'warnings', NEW.warning_id::text,
          pg_catalog.jsonb_build_object('session_id', sid, 'review_id', NEW.id, 'before', prior,
            'after', pg_catalog.jsonb_build_object('verdict', NEW.verdict, 'comment', NEW.comment)));
      ELSE
        SELECT pg_catalog.jsonb_build_object('decision', d.decision, 'note', d.reason, 'at', d.created_at)
          INTO prior FROM vigil.session_decisions d
          WHERE d.session_id = NEW.session_id AND d.id <> NEW.id
          ORDER BY d.created_at DESC LIMIT 1;
        INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
        VALUES (session_user, NEW.decided_by, 'decide_session', 'sessions', NEW.session_id::text,
          pg_catalog.jsonb_build_object('session_id', NEW.session_id, 'decision_id', NEW.id,
            'before', prior, 'after', pg_catalog.jsonb_build_object('decision', NEW.decision, 'note', NEW.reason)));
      END IF;
      RETURN NEW;
    END $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.audit_verdict() FROM PUBLIC`);
  // Beside 0004's row-level `audit` trigger (kept: it records the raw row), not instead of it.
  for (const table of ['reviews', 'session_decisions']) {
    await run(`CREATE TRIGGER audit_verdict AFTER INSERT ON vigil.${table}
      FOR EACH ROW EXECUTE FUNCTION vigil.audit_verdict()`);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  for (const table of ['reviews', 'session_decisions'])
    await run(`DROP TRIGGER audit_verdict ON vigil.${table}`);
  await run(`DROP FUNCTION vigil.audit_verdict()`);
  for (const name of Object.keys(INDEXES)) await run(`DROP INDEX vigil.${name}`);
  await run(`ALTER TABLE vigil.exams DROP COLUMN accommodation_profiles`);
  await run(`ALTER TABLE vigil.session_decisions DROP CONSTRAINT session_decisions_decision_check`);
  await run(`ALTER TABLE vigil.session_decisions ADD CONSTRAINT session_decisions_decision_check
    CHECK (decision IN ('pass', 'fail', 'retake', 'needs_review'))`);
}
