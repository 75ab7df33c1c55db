// Central PostgreSQL: who may see what. Row-level security is enabled and FORCEd on every table in
// the schema (the owner included); vigil_owner (the migrating role, and so every SECURITY DEFINER
// ingest function) and vigil_admin members see all rows; a proctor sees only the exams assigned to
// them and what hangs off those exams; devices get no table privilege at all (they only EXECUTE the
// ingest functions of the next migration).
import { sql, type Kysely } from 'kysely';

const ALL_TABLES = [
  'users',
  'resumes',
  'job_listings',
  'exams',
  'proctor_assignments',
  'enrollments',
  'devices',
  'sessions',
  'events',
  'blobs',
  'blob_chunks',
  'warnings',
  'questions',
  'messages',
  'evaluations',
  'token_usage',
  'reviews',
  'session_decisions',
  'audit_log',
  'ingest_receipts',
];

/** What a proctor may read, per table (tables not listed: nothing). */
const PROCTOR_READ: Record<string, string> = {
  users: `pg_role = current_user OR id IN (SELECT vigil.visible_user_ids(current_user))`,
  resumes: `id IN (SELECT e.resume_id FROM vigil.exams e)`,
  job_listings: `id IN (SELECT e.job_listing_id FROM vigil.exams e)`,
  exams: `id IN (SELECT vigil.visible_exam_ids(current_user))`,
  proctor_assignments: `exam_id IN (SELECT vigil.visible_exam_ids(current_user))`,
  sessions: `exam_id IN (SELECT vigil.visible_exam_ids(current_user))`,
  token_usage: `exam_id IN (SELECT vigil.visible_exam_ids(current_user))`,
  events: `session_id IN (SELECT vigil.visible_session_ids(current_user))`,
  blobs: `session_id IN (SELECT vigil.visible_session_ids(current_user))`,
  warnings: `session_id IN (SELECT vigil.visible_session_ids(current_user))`,
  questions: `session_id IN (SELECT vigil.visible_session_ids(current_user))`,
  messages: `session_id IN (SELECT vigil.visible_session_ids(current_user))`,
  evaluations: `session_id IN (SELECT vigil.visible_session_ids(current_user))`,
  session_decisions: `session_id IN (SELECT vigil.visible_session_ids(current_user))`,
  blob_chunks: `blob_id IN (SELECT b.id FROM vigil.blobs b)`,
  reviews: `warning_id IN (SELECT w.id FROM vigil.warnings w)`,
};

const ME = `(SELECT u.id FROM vigil.users u WHERE u.pg_role = current_user)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  // Invoker function for application queries that need to know (the policies use role targets).
  await run(`CREATE FUNCTION vigil.is_privileged() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT pg_catalog.pg_has_role('vigil_admin', 'MEMBER') OR pg_catalog.pg_has_role('vigil_owner', 'MEMBER')
  $$`);
  // Definer helpers read the assignment tables without recursing into their own policies. They
  // answer only for a role the session's login actually holds, so a proctor cannot ask about
  // another proctor's exams.
  await run(`CREATE FUNCTION vigil.visible_exam_ids(who name) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      SELECT pa.exam_id FROM vigil.proctor_assignments pa
      JOIN vigil.users u ON u.id = pa.proctor_id
      JOIN pg_catalog.pg_roles r ON r.rolname = u.pg_role
      WHERE u.pg_role = who AND pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER')
    $$`);
  await run(`CREATE FUNCTION vigil.visible_session_ids(who name) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      SELECT s.id FROM vigil.sessions s WHERE s.exam_id IN (SELECT vigil.visible_exam_ids(who))
    $$`);
  await run(`CREATE FUNCTION vigil.visible_user_ids(who name) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      SELECT s.candidate_id FROM vigil.sessions s WHERE s.exam_id IN (SELECT vigil.visible_exam_ids(who))
      UNION
      SELECT en.candidate_id FROM vigil.enrollments en WHERE en.exam_id IN (SELECT vigil.visible_exam_ids(who))
    $$`);
  await run(`REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA vigil FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.is_privileged(), vigil.visible_exam_ids(name),
    vigil.visible_session_ids(name), vigil.visible_user_ids(name) TO vigil_proctor, vigil_admin`);

  for (const table of ALL_TABLES) {
    await run(`ALTER TABLE vigil.${table} ENABLE ROW LEVEL SECURITY`);
    await run(`ALTER TABLE vigil.${table} FORCE ROW LEVEL SECURITY`);
    // Policies name their roles, so each query only carries the policies that apply to its
    // role: the ingest functions (vigil_owner) never pay for the proctor's subqueries.
    await run(`CREATE POLICY privileged ON vigil.${table} FOR ALL TO vigil_owner, vigil_admin
      USING (true) WITH CHECK (true)`);
    const read = PROCTOR_READ[table];
    if (read)
      await run(`CREATE POLICY proctor_read ON vigil.${table} FOR SELECT TO vigil_proctor USING (${read})`);
  }
  await run(`CREATE POLICY proctor_write ON vigil.reviews FOR INSERT TO vigil_proctor
    WITH CHECK (${PROCTOR_READ.reviews} AND reviewer_id = ${ME})`);
  await run(`CREATE POLICY proctor_write ON vigil.session_decisions FOR INSERT TO vigil_proctor
    WITH CHECK (${PROCTOR_READ.session_decisions} AND decided_by = ${ME})`);

  await run(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA vigil TO vigil_admin`);
  await run(
    `GRANT SELECT ON ${Object.keys(PROCTOR_READ)
      .map((t) => `vigil.${t}`)
      .join(', ')}, vigil.token_usage_by_exam, vigil.token_usage_cumulative TO vigil_proctor`,
  );
  await run(`GRANT INSERT ON vigil.reviews, vigil.session_decisions TO vigil_proctor`);

  // Every review and decision leaves an audit row, whoever wrote it.
  await run(`CREATE FUNCTION vigil.audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
      INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
      VALUES (session_user, (SELECT u.id FROM vigil.users u WHERE u.pg_role = session_user),
              lower(TG_OP), TG_TABLE_NAME, NEW.id::text, pg_catalog.to_jsonb(NEW));
      RETURN NEW;
    END $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.audit_row() FROM PUBLIC`);
  for (const table of ['reviews', 'session_decisions']) {
    await run(`CREATE TRIGGER audit AFTER INSERT OR UPDATE ON vigil.${table}
      FOR EACH ROW EXECUTE FUNCTION vigil.audit_row()`);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  for (const table of ['reviews', 'session_decisions']) await run(`DROP TRIGGER audit ON vigil.${table}`);
  await run(`DROP FUNCTION vigil.audit_row()`);
  for (const table of ALL_TABLES) {
    await run(`DROP POLICY IF EXISTS privileged ON vigil.${table}`);
    await run(`DROP POLICY IF EXISTS proctor_read ON vigil.${table}`);
    await run(`DROP POLICY IF EXISTS proctor_write ON vigil.${table}`);
    await run(`ALTER TABLE vigil.${table} NO FORCE ROW LEVEL SECURITY`);
    await run(`ALTER TABLE vigil.${table} DISABLE ROW LEVEL SECURITY`);
  }
  await run(`REVOKE ALL ON ALL TABLES IN SCHEMA vigil FROM vigil_admin, vigil_proctor`);
  await run(`DROP FUNCTION vigil.visible_user_ids(name), vigil.visible_session_ids(name),
    vigil.visible_exam_ids(name), vigil.is_privileged()`);
}
