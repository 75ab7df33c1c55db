// Local SQLite: the device's one job queue (src-main/store/jobs.ts). A job row is written in the same
// transaction as the domain row that asks for the work, so a committed session end always has its
// merge, upload, transcription, evaluation, report and purge jobs, and a rolled-back one has none.
// `kind` carries no CHECK: the vocabulary lives in jobs.ts, and a new kind must not need a table
// rebuild (SQLite cannot alter a CHECK).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    session_id TEXT,
    dedupe_key TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    next_attempt_at INTEGER NOT NULL,
    last_error_code TEXT,
    last_error_message TEXT,
    result TEXT CHECK (result IS NULL OR json_valid(result)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    UNIQUE (kind, dedupe_key)
  ) STRICT`.execute(db);
  await sql`CREATE INDEX jobs_due ON jobs(status, next_attempt_at)`.execute(db);
  await sql`CREATE INDEX jobs_session ON jobs(session_id) WHERE session_id IS NOT NULL`.execute(db);
  // "Runs after these jobs have finished (done or failed)". Deleting a job (a purge) frees the jobs
  // that waited for it rather than leaving them blocked forever.
  await sql`CREATE TABLE job_deps (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    depends_on INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, depends_on),
    CHECK (job_id != depends_on)
  ) STRICT, WITHOUT ROWID`.execute(db);
  await sql`CREATE INDEX job_deps_depends_on ON job_deps(depends_on)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE job_deps`.execute(db);
  await sql`DROP TABLE jobs`.execute(db);
}
