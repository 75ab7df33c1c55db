// Central PostgreSQL: the time of everything a proctor or an admin writes is the server's. Proctors
// and admins write with their own logins (row-level security decides what), so a client could
// choose `created_at` itself, e.g. file a verdict dated next year that stays "the latest" whatever
// a colleague decides later, or backdate an audit row. A BEFORE trigger on each such table sets the
// time column to the server's clock on INSERT (clock_timestamp, so two verdicts of one transaction
// keep their order) and keeps the stored value on UPDATE; `central_settings.updated_at` is the time
// of the last change. Audit rows also get the login that wrote them (`actor_role`, and the Vigil
// user of that login where there is one), not what the client names.
import { sql, type Kysely } from 'kysely';

const SERVER_TIME = `CREATE FUNCTION vigil.server_time() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    v_column text := TG_ARGV[0];
    v_stamp jsonb;
    v_user uuid;
  BEGIN
    IF TG_OP = 'INSERT' OR TG_ARGV[1] = 'on_update' THEN
      v_stamp := jsonb_build_object(v_column, clock_timestamp());
    ELSE
      v_stamp := jsonb_build_object(v_column, to_jsonb(OLD) -> v_column);
    END IF;
    IF TG_TABLE_NAME = 'audit_log' THEN
      SELECT u.id INTO v_user FROM vigil.users u WHERE u.pg_role = session_user;
      v_stamp := v_stamp || jsonb_build_object('actor_role', session_user::text);
      IF v_user IS NOT NULL THEN v_stamp := v_stamp || jsonb_build_object('actor_user_id', v_user); END IF;
    END IF;
    NEW := jsonb_populate_record(NEW, v_stamp);
    RETURN NEW;
  END $$`;

/** Table → its time column, and whether an UPDATE restamps it (a "last changed" column). */
const STAMPED: [table: string, column: string, onUpdate: boolean][] = [
  ['reviews', 'created_at', false],
  ['session_decisions', 'created_at', false],
  ['audit_log', 'at', false],
  ['report_versions', 'created_at', false],
  ['users', 'created_at', false],
  ['resumes', 'created_at', false],
  ['job_listings', 'created_at', false],
  ['exams', 'created_at', false],
  ['proctor_assignments', 'assigned_at', false],
  ['enrollments', 'created_at', false],
  ['known_app_builds', 'added_at', false],
  ['central_settings', 'updated_at', true],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(SERVER_TIME);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.server_time() FROM PUBLIC`);
  // "a_" so it runs before every other BEFORE trigger of the table (they fire in name order).
  for (const [table, column, onUpdate] of STAMPED) {
    await run(`CREATE TRIGGER a_server_time BEFORE INSERT OR UPDATE ON vigil.${table}
      FOR EACH ROW EXECUTE FUNCTION vigil.server_time('${column}'${onUpdate ? ", 'on_update'" : ''})`);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  for (const [table] of STAMPED) await run(`DROP TRIGGER a_server_time ON vigil.${table}`);
  await run(`DROP FUNCTION vigil.server_time()`);
}
