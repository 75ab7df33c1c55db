// One audit row per verdict or decision change. 0004 put a row-level `audit` trigger on reviews and
// session_decisions and 0100 added `audit_verdict` beside it, so every verdict wrote two audit_log
// rows (one raw, one before → after). This replaces both with a single trigger that records who
// (login role and user), what (action, op, target, the raw row), when (audit_log.at) and
// before → after, for inserts and for updates.
import { sql, type Kysely } from 'kysely';

const TABLES = ['reviews', 'session_decisions'];

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  for (const table of TABLES) {
    await run(`DROP TRIGGER audit ON vigil.${table}`);
    await run(`DROP TRIGGER audit_verdict ON vigil.${table}`);
  }
  await run(`DROP FUNCTION vigil.audit_row()`);
  await run(`DROP FUNCTION vigil.audit_verdict()`);

  // Before: on insert, the same reviewer's previous verdict on the warning (or the session's previous
  // decision); on update, the row as it was. Definer so proctors (who cannot touch audit_log) still
  // leave their trail; the actor is the login's own user, else the reviewer/decider on the row.
  await run(`CREATE FUNCTION vigil.audit_verdict() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE
      prior jsonb;
      sid uuid;
      actor uuid;
    BEGIN
      SELECT u.id INTO actor FROM vigil.users u WHERE u.pg_role = session_user;
      IF TG_TABLE_NAME = 'reviews' THEN
        IF TG_OP = 'UPDATE' THEN
          prior := pg_catalog.jsonb_build_object('verdict', OLD.verdict, 'comment', OLD.comment, 'at', OLD.created_at);
        ELSE
          SELECT pg_catalog.jsonb_build_object('verdict', r.verdict, 'comment', r.comment, 'at', r.created_at)
            INTO prior FROM vigil.reviews r
            WHERE r.warning_id = NEW.warning_id AND r.reviewer_id IS NOT DISTINCT FROM NEW.reviewer_id
              AND r.id <> NEW.id
            ORDER BY r.created_at DESC LIMIT 1;
        END IF;
        SELECT w.session_id INTO sid FROM vigil.warnings w WHERE w.id = NEW.warning_id;
        INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
        VALUES (session_user, coalesce(actor, NEW.reviewer_id), 'review_warning', 'warnings', NEW.warning_id::text,
          pg_catalog.jsonb_build_object('op', pg_catalog.lower(TG_OP), 'session_id', sid, 'review_id', NEW.id,
            'before', prior,
            'after', pg_catalog.jsonb_build_object('verdict', NEW.verdict, 'comment', NEW.comment),
            'row', pg_catalog.to_jsonb(NEW)));
      ELSE
        IF TG_OP = 'UPDATE' THEN
          prior := pg_catalog.jsonb_build_object('decision', OLD.decision, 'note', OLD.reason, 'at', OLD.created_at);
        ELSE
          SELECT pg_catalog.jsonb_build_object('decision', d.decision, 'note', d.reason, 'at', d.created_at)
            INTO prior FROM vigil.session_decisions d
            WHERE d.session_id = NEW.session_id AND d.id <> NEW.id
            ORDER BY d.created_at DESC LIMIT 1;
        END IF;
        INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
        VALUES (session_user, coalesce(actor, NEW.decided_by), 'decide_session', 'sessions', NEW.session_id::text,
          pg_catalog.jsonb_build_object('op', pg_catalog.lower(TG_OP), 'session_id', NEW.session_id,
            'decision_id', NEW.id, 'before', prior,
            'after', pg_catalog.jsonb_build_object('decision', NEW.decision, 'note', NEW.reason),
            'row', pg_catalog.to_jsonb(NEW)));
      END IF;
      RETURN NEW;
    END $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.audit_verdict() FROM PUBLIC`);
  for (const table of TABLES) {
    await run(`CREATE TRIGGER audit_verdict AFTER INSERT OR UPDATE ON vigil.${table}
      FOR EACH ROW EXECUTE FUNCTION vigil.audit_verdict()`);
  }
}

/** Back to 0100's state: 0004's raw-row trigger and 0100's insert-only before → after trigger. */
export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  for (const table of TABLES) await run(`DROP TRIGGER audit_verdict ON vigil.${table}`);
  await run(`DROP FUNCTION vigil.audit_verdict()`);
  await run(`CREATE FUNCTION vigil.audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
      INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
      VALUES (session_user, (SELECT u.id FROM vigil.users u WHERE u.pg_role = session_user),
              lower(TG_OP), TG_TABLE_NAME, NEW.id::text, pg_catalog.to_jsonb(NEW));
      RETURN NEW;
    END $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.audit_row() FROM PUBLIC`);
  await run(`CREATE FUNCTION vigil.audit_verdict() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE
      prior jsonb;
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
  for (const table of TABLES) {
    await run(`CREATE TRIGGER audit AFTER INSERT OR UPDATE ON vigil.${table}
      FOR EACH ROW EXECUTE FUNCTION vigil.audit_row()`);
    await run(`CREATE TRIGGER audit_verdict AFTER INSERT ON vigil.${table}
      FOR EACH ROW EXECUTE FUNCTION vigil.audit_verdict()`);
  }
}
