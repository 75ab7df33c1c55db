// Central PostgreSQL: the proctor read policies of 0004, rewritten to stay fast at 100,000
// sessions and 1,000,000 warnings, with the same meaning. 0004 tests `x IN (SELECT set-returning
// definer function)` OR-ed with the privileged policy; the planner may run that sub-plan once per
// row, re-executing the function each time (a queue page took minutes in the benchmark). Here the
// proctor's exam ids are computed once per query (an InitPlan over an array), and everything hung
// off a session checks that one session through the sessions policy with an index probe.
// Policies stay role-targeted (TO vigil_proctor), as 0004 makes them.
import { sql, type Kysely } from 'kysely';

const MY_EXAMS = `(SELECT vigil.visible_exam_array(current_user))::uuid[]`;
const viaSession = (table: string) =>
  `EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.id = ${table}.session_id)`;

const POLICIES: Record<string, string> = {
  exams: `id = ANY (${MY_EXAMS})`,
  proctor_assignments: `exam_id = ANY (${MY_EXAMS})`,
  sessions: `exam_id = ANY (${MY_EXAMS})`,
  token_usage: `exam_id = ANY (${MY_EXAMS})`,
  enrollments: `exam_id = ANY (${MY_EXAMS})`,
  events: viaSession('events'),
  blobs: viaSession('blobs'),
  warnings: viaSession('warnings'),
  questions: viaSession('questions'),
  messages: viaSession('messages'),
  evaluations: viaSession('evaluations'),
  session_decisions: viaSession('session_decisions'),
  blob_chunks: `EXISTS (SELECT 1 FROM vigil.blobs b WHERE b.id = blob_chunks.blob_id)`,
  reviews: `EXISTS (SELECT 1 FROM vigil.warnings w WHERE w.id = reviews.warning_id)`,
  users: `pg_role = current_user
    OR EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.candidate_id = users.id)
    OR (SELECT true FROM vigil.enrollments n WHERE n.candidate_id = users.id LIMIT 1) IS NOT NULL`,
};

const ME = `(SELECT u.id FROM vigil.users u WHERE u.pg_role = current_user)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`CREATE FUNCTION vigil.visible_exam_array(who name) RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      SELECT coalesce(array_agg(x), '{}') FROM vigil.visible_exam_ids(who) AS x
    $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.visible_exam_array(name) FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.visible_exam_array(name) TO vigil_proctor, vigil_admin`);
  // Role-targeted like 0004's: admins and the owner never carry these checks.
  for (const [table, using] of Object.entries(POLICIES)) {
    await run(`DROP POLICY IF EXISTS proctor_read ON vigil.${table}`);
    await run(`CREATE POLICY proctor_read ON vigil.${table} FOR SELECT TO vigil_proctor USING (${using})`);
  }
  // Candidate search for the queue. A user's ILIKE cannot run before the row-level checks (it is not
  // leakproof), so under RLS a search would test visibility on every user; this definer function
  // matches first and then keeps only candidates with a session in the caller's exams.
  await run(`CREATE FUNCTION vigil.search_candidate_ids(who name, pattern text) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      SELECT u.id FROM vigil.users u
      WHERE u.role = 'candidate' AND (u.email ILIKE pattern OR u.display_name ILIKE pattern)
        AND (pg_catalog.pg_has_role(session_user, 'vigil_admin', 'MEMBER')
             OR EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.candidate_id = u.id
                        AND s.exam_id = ANY (vigil.visible_exam_array(who))))
    $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.search_candidate_ids(name, text) FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.search_candidate_ids(name, text) TO vigil_proctor, vigil_admin`);
  // Proctors see which candidates are enrolled in their exams, never the code hashes.
  await run(`GRANT SELECT (id, candidate_id, exam_id, expires_at, redeemed_at, created_at)
    ON vigil.enrollments TO vigil_proctor`);
  await run(`DROP POLICY proctor_write ON vigil.reviews`);
  await run(`CREATE POLICY proctor_write ON vigil.reviews FOR INSERT TO vigil_proctor
    WITH CHECK (${POLICIES.reviews} AND reviewer_id = ${ME})`);
  await run(`DROP POLICY proctor_write ON vigil.session_decisions`);
  await run(`CREATE POLICY proctor_write ON vigil.session_decisions FOR INSERT TO vigil_proctor
    WITH CHECK (${POLICIES.session_decisions} AND decided_by = ${ME})`);
}

/** 0004's definitions, restored. */
const OLD: Record<string, string> = {
  users: `pg_role = current_user OR id IN (SELECT vigil.visible_user_ids(current_user))`,
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

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  for (const table of Object.keys(POLICIES)) {
    await run(`DROP POLICY proctor_read ON vigil.${table}`);
    if (OLD[table])
      await run(
        `CREATE POLICY proctor_read ON vigil.${table} FOR SELECT TO vigil_proctor USING (${OLD[table]})`,
      );
  }
  await run(
    `REVOKE SELECT (id, candidate_id, exam_id, expires_at, redeemed_at, created_at) ON vigil.enrollments FROM vigil_proctor`,
  );
  await run(`DROP POLICY proctor_write ON vigil.reviews`);
  await run(
    `CREATE POLICY proctor_write ON vigil.reviews FOR INSERT TO vigil_proctor WITH CHECK (${OLD.reviews} AND reviewer_id = ${ME})`,
  );
  await run(`DROP POLICY proctor_write ON vigil.session_decisions`);
  await run(`CREATE POLICY proctor_write ON vigil.session_decisions FOR INSERT TO vigil_proctor
    WITH CHECK (${OLD.session_decisions} AND decided_by = ${ME})`);
  await run(`DROP FUNCTION IF EXISTS vigil.search_candidate_ids(name, text)`);
  await run(`DROP FUNCTION vigil.visible_exam_array(name)`);
}
