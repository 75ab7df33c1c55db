// Central PostgreSQL: the trusted worker (`vigil worker`). The server's own evaluation and risk live
// next to what the device sends, never over it: `server_evaluations` (one per session, the primary
// key makes a second one impossible, so two workers cannot both file one) and `sessions.server_risk_*`
// (score and factors, same rule as 0402: no score without the factors that explain it).
//
// Work is requested in the transaction that makes it due: finishing a session (any status after
// in_progress) requests its evaluation and its risk; a warning filed or changed on a finished
// session requests the risk again. The request is a row in `worker_requests` (one per session and
// kind: a burst of warnings is one request) plus a NOTIFY; the worker moves requests into its job
// queue (pg-boss, schema `vigil_jobs`) in one transaction, so none is lost or queued twice. The
// queue's own tables are made by pg-boss at the worker's start, so the ingest functions cannot
// insert jobs directly. Sessions finished before this migration get a risk request (cheap, no AI);
// their evaluations are not requested, as that would bill the AI provider for old sessions at once.
//
// vigil_worker is a group role like the others; a worker login is a member whose sessions run as
// vigil_worker (createWorkerLogin), so every worker machine owns and shares the same queue tables.
import { sql, type Kysely } from 'kysely';

const REQUEST_ON_FINISH = `CREATE FUNCTION vigil.request_work_on_finish() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    INSERT INTO vigil.worker_requests(session_id, kind)
    VALUES (NEW.id, 'evaluate'), (NEW.id, 'risk') ON CONFLICT DO NOTHING;
    PERFORM pg_notify('vigil_worker', NEW.id::text);
    RETURN NULL;
  END $$`;

const REQUEST_ON_WARNING = `CREATE FUNCTION vigil.request_risk_on_warning() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM vigil.sessions s WHERE s.id = NEW.session_id AND s.status <> 'in_progress') THEN
      INSERT INTO vigil.worker_requests(session_id, kind) VALUES (NEW.session_id, 'risk')
      ON CONFLICT DO NOTHING;
      PERFORM pg_notify('vigil_worker', NEW.session_id::text);
    END IF;
    RETURN NULL;
  END $$`;

/** What the worker reads (SELECT) to evaluate a session and score its risk. */
const WORKER_READS = [
  'users',
  'resumes',
  'job_listings',
  'exams',
  'enrollments',
  'devices',
  'sessions',
  'warnings',
  'questions',
  'token_usage',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'vigil_worker') THEN
      CREATE ROLE vigil_worker NOLOGIN;
    END IF;
  END $$`);
  await run(`GRANT USAGE ON SCHEMA vigil TO vigil_worker`);

  await run(`CREATE TABLE vigil.server_evaluations (
    session_id uuid PRIMARY KEY REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    evaluator text NOT NULL CHECK (evaluator IN ('openai', 'local')),
    model text NOT NULL,
    label text NOT NULL,
    professionalism integer NOT NULL CHECK (professionalism BETWEEN 0 AND 100),
    subject_knowledge integer NOT NULL CHECK (subject_knowledge BETWEEN 0 AND 100),
    clarity integer NOT NULL CHECK (clarity BETWEEN 0 AND 100),
    overall integer NOT NULL CHECK (overall BETWEEN 0 AND 100),
    traits jsonb NOT NULL DEFAULT '[]',
    suggestions jsonb NOT NULL DEFAULT '[]',
    feedback text NOT NULL DEFAULT '',
    question_responses jsonb NOT NULL DEFAULT '[]',
    details jsonb NOT NULL DEFAULT '{}',
    evaluated_by text NOT NULL CHECK (length(evaluated_by) BETWEEN 1 AND 200),
    job_id text,
    created_at timestamptz NOT NULL DEFAULT now()
  )`);
  await run(`ALTER TABLE vigil.sessions ADD COLUMN server_risk_score numeric(5, 2)
    CHECK (server_risk_score BETWEEN 0 AND 100)`);
  await run(`ALTER TABLE vigil.sessions ADD COLUMN server_risk_factors jsonb`);
  await run(`ALTER TABLE vigil.sessions ADD COLUMN server_risk_at timestamptz`);
  await run(`ALTER TABLE vigil.sessions ADD CONSTRAINT sessions_server_risk_explained CHECK (
    (server_risk_score IS NULL AND server_risk_factors IS NULL) OR (
      jsonb_typeof(server_risk_factors->'factors') = 'array'
      AND server_risk_score = (server_risk_factors->>'score')::numeric
      AND (server_risk_score = 0 OR jsonb_path_exists(server_risk_factors, '$.factors[*] ? (@.points > 0)'))))`);
  // The review queue ranks by the server's risk, the device's until the server has scored: 0100's
  // keyset indexes on the device's score alone give way to the same on that rank.
  await run(`DROP INDEX vigil.sessions_queue, vigil.sessions_exam_queue`);
  await run(`CREATE INDEX sessions_queue_rank ON vigil.sessions
    ((coalesce(server_risk_score, risk_score, -1)), id)`);
  await run(`CREATE INDEX sessions_exam_queue_rank ON vigil.sessions
    (exam_id, (coalesce(server_risk_score, risk_score, -1)), id)`);
  await run(`CREATE TABLE vigil.worker_requests (
    session_id uuid NOT NULL REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('evaluate', 'risk')),
    requested_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, kind)
  )`);

  await run(REQUEST_ON_FINISH);
  await run(REQUEST_ON_WARNING);
  await run(
    `REVOKE EXECUTE ON FUNCTION vigil.request_work_on_finish(), vigil.request_risk_on_warning() FROM PUBLIC`,
  );
  await run(`CREATE TRIGGER sessions_request_work AFTER UPDATE OF status ON vigil.sessions
    FOR EACH ROW WHEN (OLD.status = 'in_progress' AND NEW.status <> 'in_progress')
    EXECUTE FUNCTION vigil.request_work_on_finish()`);
  await run(`CREATE TRIGGER warnings_request_risk AFTER INSERT OR UPDATE ON vigil.warnings
    FOR EACH ROW EXECUTE FUNCTION vigil.request_risk_on_warning()`);
  await run(`INSERT INTO vigil.worker_requests(session_id, kind)
    SELECT id, 'risk' FROM vigil.sessions WHERE status <> 'in_progress'`);

  for (const table of ['server_evaluations', 'worker_requests']) {
    await run(`ALTER TABLE vigil.${table} ENABLE ROW LEVEL SECURITY`);
    await run(`ALTER TABLE vigil.${table} FORCE ROW LEVEL SECURITY`);
    await run(`CREATE POLICY privileged ON vigil.${table} FOR ALL TO vigil_owner, vigil_admin
      USING (true) WITH CHECK (true)`);
  }
  await run(`CREATE POLICY proctor_read ON vigil.server_evaluations FOR SELECT TO vigil_proctor
    USING (session_id IN (SELECT vigil.visible_session_ids(current_user)))`);
  // The worker is trusted with every session (it evaluates them all), but only with these tables.
  for (const table of [...WORKER_READS, 'server_evaluations', 'worker_requests']) {
    await run(
      `CREATE POLICY worker ON vigil.${table} FOR ALL TO vigil_worker USING (true) WITH CHECK (true)`,
    );
  }
  await run(`GRANT SELECT ON ${WORKER_READS.map((t) => `vigil.${t}`).join(', ')} TO vigil_worker`);
  await run(
    `GRANT UPDATE (server_risk_score, server_risk_factors, server_risk_at) ON vigil.sessions TO vigil_worker`,
  );
  await run(`GRANT INSERT ON vigil.token_usage TO vigil_worker`);
  await run(`GRANT SELECT, INSERT ON vigil.server_evaluations TO vigil_worker`);
  // UPDATE only because SELECT … FOR UPDATE (the relay's row lock) requires it.
  await run(`GRANT SELECT, UPDATE, DELETE ON vigil.worker_requests TO vigil_worker`);
  await run(
    `GRANT SELECT, INSERT, UPDATE, DELETE ON vigil.server_evaluations, vigil.worker_requests TO vigil_admin`,
  );
  await run(`GRANT SELECT ON vigil.server_evaluations TO vigil_proctor`);
  // The job queue's schema: the worker group creates and upgrades pg-boss's tables there at start
  // (they belong to vigil_worker, whichever worker login made them). pg-boss's CREATE SCHEMA IF NOT
  // EXISTS checks the database's CREATE privilege even when the schema exists, so the group holds
  // that too (it owns nothing in vigil: that stays the owner's).
  await run(`CREATE SCHEMA IF NOT EXISTS vigil_jobs`);
  await run(`GRANT USAGE, CREATE ON SCHEMA vigil_jobs TO vigil_worker`);
  await run(`DO $$ BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO vigil_worker', current_database());
  END $$`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP SCHEMA IF EXISTS vigil_jobs CASCADE`);
  await run(`DO $$ BEGIN
    EXECUTE format('REVOKE CREATE ON DATABASE %I FROM vigil_worker', current_database());
  END $$`);
  for (const table of WORKER_READS) await run(`DROP POLICY worker ON vigil.${table}`);
  await run(`REVOKE ALL ON ${WORKER_READS.map((t) => `vigil.${t}`).join(', ')} FROM vigil_worker`);
  await run(`DROP TRIGGER warnings_request_risk ON vigil.warnings`);
  await run(`DROP TRIGGER sessions_request_work ON vigil.sessions`);
  await run(`DROP FUNCTION vigil.request_risk_on_warning(), vigil.request_work_on_finish()`);
  await run(`DROP TABLE vigil.worker_requests, vigil.server_evaluations`);
  await run(`DROP INDEX vigil.sessions_queue_rank, vigil.sessions_exam_queue_rank`);
  await run(`CREATE INDEX sessions_queue ON vigil.sessions ((coalesce(risk_score, -1)), id)`);
  await run(`CREATE INDEX sessions_exam_queue ON vigil.sessions (exam_id, (coalesce(risk_score, -1)), id)`);
  await run(`ALTER TABLE vigil.sessions DROP CONSTRAINT sessions_server_risk_explained`);
  await run(`ALTER TABLE vigil.sessions DROP COLUMN server_risk_at, DROP COLUMN server_risk_factors,
    DROP COLUMN server_risk_score`);
  await run(`REVOKE USAGE ON SCHEMA vigil FROM vigil_worker`);
}
