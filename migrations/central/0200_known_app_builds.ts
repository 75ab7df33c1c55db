// Central PostgreSQL: the app builds the server knows (version + hash of the shipped code, kept by
// admins), and a flag on every session whose chain reports another build. The device's app_build
// event (src-main/session/session-evidence.ts) is judged by an AFTER INSERT trigger on events, so
// the ingest functions stay as they are: ingest inserts events with ON CONFLICT DO NOTHING, so a
// duplicated delivery inserts nothing and raises nothing, and a unique index keeps one flag per
// session and build even when two app_build events report the same unknown build.
// The flag is a server warning `unknown_app_build` (high): the proctor queue lists it among the
// session's flags and can filter on it; the session review shows its reason and the reported build.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`CREATE TABLE vigil.known_app_builds (
    app_version text NOT NULL CHECK (length(app_version) BETWEEN 1 AND 64),
    build_hash text NOT NULL CHECK (build_hash ~ '^[0-9a-f]{64}$'),
    note text NOT NULL DEFAULT '',
    added_at timestamptz NOT NULL DEFAULT now(),
    added_by name NOT NULL DEFAULT session_user,
    PRIMARY KEY (app_version, build_hash)
  )`);
  // Same access model as every table of 0004: admins manage, proctors read, devices nothing.
  await run(`ALTER TABLE vigil.known_app_builds ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE vigil.known_app_builds FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY privileged ON vigil.known_app_builds FOR ALL TO vigil_owner, vigil_admin
    USING (true) WITH CHECK (true)`);
  await run(`CREATE POLICY proctor_read ON vigil.known_app_builds FOR SELECT TO vigil_proctor USING (true)`);
  await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON vigil.known_app_builds TO vigil_admin`);
  await run(`GRANT SELECT ON vigil.known_app_builds TO vigil_proctor`);

  await run(`CREATE UNIQUE INDEX warnings_unknown_app_build ON vigil.warnings
    (session_id, (coalesce(details->>'appVersion', '')), (coalesce(details->>'buildHash', '')))
    WHERE type = 'unknown_app_build' AND source = 'server'`);

  await run(`CREATE FUNCTION vigil.review_app_build() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
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
    END $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.review_app_build() FROM PUBLIC`);
  await run(`CREATE TRIGGER review_app_build AFTER INSERT ON vigil.events
    FOR EACH ROW WHEN (NEW.kind = 'app_build') EXECUTE FUNCTION vigil.review_app_build()`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP TRIGGER review_app_build ON vigil.events`);
  await run(`DROP FUNCTION vigil.review_app_build()`);
  await run(`DROP INDEX vigil.warnings_unknown_app_build`);
  await run(`DROP TABLE vigil.known_app_builds`);
}
