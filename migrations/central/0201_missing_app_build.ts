// Central PostgreSQL: a session that went through an interview but never reported its app build is
// flagged too — otherwise a modified client could escape 0200's check by leaving the event out.
// Judged when the session's `session_finished` event arrives; because deliveries may be reordered,
// an app_build that arrives after it withdraws the "none reported" flag and is judged as usual.
// A session abandoned before its interview (consent given, nothing asked) never had a build to
// report and is not flagged.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`CREATE FUNCTION vigil.review_missing_app_build() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM vigil.events e WHERE e.session_id = NEW.session_id AND e.kind = 'app_build') THEN
        RETURN NULL;
      END IF;
      IF coalesce(NEW.payload->>'status', '') NOT IN ('completed', 'terminated') AND NOT EXISTS
           (SELECT 1 FROM vigil.events e WHERE e.session_id = NEW.session_id AND e.kind = 'interview_started') THEN
        RETURN NULL;
      END IF;
      INSERT INTO vigil.warnings(id, session_id, type, severity, started_at, ended_at, confidence, details, source)
      VALUES (gen_random_uuid(), NEW.session_id, 'unknown_app_build', 'high', NEW.occurred_at, NEW.occurred_at, 1,
              jsonb_build_object('reason', 'no app build reported', 'seq', NEW.seq, 'detector', 'server'),
              'server')
      ON CONFLICT (session_id, (coalesce(details->>'appVersion', '')), (coalesce(details->>'buildHash', '')))
        WHERE type = 'unknown_app_build' AND source = 'server'
        DO NOTHING;
      RETURN NULL;
    END $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.review_missing_app_build() FROM PUBLIC`);
  await run(`CREATE TRIGGER review_missing_app_build AFTER INSERT ON vigil.events
    FOR EACH ROW WHEN (NEW.kind = 'session_finished') EXECUTE FUNCTION vigil.review_missing_app_build()`);
  // A late app_build (reordered delivery) withdraws the "none reported" flag before being judged.
  await run(`CREATE FUNCTION vigil.withdraw_missing_app_build() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
      DELETE FROM vigil.warnings w
       WHERE w.session_id = NEW.session_id AND w.type = 'unknown_app_build' AND w.source = 'server'
         AND w.details->>'reason' = 'no app build reported';
      RETURN NULL;
    END $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.withdraw_missing_app_build() FROM PUBLIC`);
  await run(`CREATE TRIGGER withdraw_missing_app_build AFTER INSERT ON vigil.events
    FOR EACH ROW WHEN (NEW.kind = 'app_build') EXECUTE FUNCTION vigil.withdraw_missing_app_build()`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP TRIGGER withdraw_missing_app_build ON vigil.events`);
  await run(`DROP FUNCTION vigil.withdraw_missing_app_build()`);
  await run(`DROP TRIGGER review_missing_app_build ON vigil.events`);
  await run(`DROP FUNCTION vigil.review_missing_app_build()`);
}
