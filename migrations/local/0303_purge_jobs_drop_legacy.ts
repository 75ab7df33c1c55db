// Local SQLite: the device's retention purge becomes a job per session (src-main/admin/
// local-purge-job.ts), due when the session's exam retention runs out; sessions that exist before
// this migration get theirs here. The tables the job queue replaced go: evaluation_jobs (its work
// was carried into jobs by 0302) and candidate_progress.finish_state (not read since 0302).
// Plain SQL written out here (migrations are frozen); the kind, payload and attempt limit are those
// of src-main/store/jobs.ts at this migration.
import { sql, type Kysely } from 'kysely';

const NOW_ISO = sql`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
const DAY_MS = 86_400_000;

export async function up(db: Kysely<unknown>): Promise<void> {
  // Due at the session's end (or start, if it never ended) plus its cached exam's retentionDays;
  // a session whose exam is not cached has no known retention and is kept, as the purge did.
  await sql`INSERT INTO jobs (kind, session_id, dedupe_key, payload, max_attempts, next_attempt_at, created_at, updated_at)
    SELECT 'local_purge', s.id, s.id, json_object('reason', 'retention'), 1000,
           CAST(round((julianday(coalesce(s.ended_at, s.started_at)) - 2440587.5) * ${DAY_MS}) AS INTEGER)
             + json_extract(c.definition, '$.retentionDays') * ${DAY_MS},
           ${NOW_ISO}, ${NOW_ISO}
    FROM sessions s JOIN cached_exams c ON c.id = s.exam_id
    WHERE json_extract(c.definition, '$.retentionDays') > 0
      AND julianday(coalesce(s.ended_at, s.started_at)) IS NOT NULL
    ON CONFLICT (kind, dedupe_key) DO NOTHING`.execute(db);
  await sql`DROP TABLE evaluation_jobs`.execute(db);
  await sql`ALTER TABLE candidate_progress DROP COLUMN finish_state`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE candidate_progress ADD COLUMN finish_state TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(finish_state))`.execute(db);
  await sql`CREATE TABLE evaluation_jobs (
    session_id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status in ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    evaluation_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL)`.execute(db);
  await sql`CREATE INDEX evaluation_jobs_due ON evaluation_jobs (status, next_attempt_at)`.execute(db);
  await sql`DELETE FROM jobs WHERE kind = 'local_purge'`.execute(db);
}
