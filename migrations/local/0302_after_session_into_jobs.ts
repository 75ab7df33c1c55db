// Local SQLite: devices that upgrade with a session still finishing carry that work into the job
// queue (0004), which replaced candidate_progress.finish_state, the in-memory transcript wait and,
// for the app, evaluation_jobs. Numbered after 0004, 0200, 0202 and 0300 so every table it reads
// exists on a fresh device too. Plain SQL written out here (migrations are frozen): kinds, keys and
// attempt limits as src-main/store/jobs.ts and src-main/session/after-session-jobs.ts had them.
import { sql, type Kysely } from 'kysely';

const NOW_MS = sql`CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;
const NOW_ISO = sql`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
/** Sessions on the finish screen whose report was not made before the upgrade. */
const FINISHING = sql`SELECT session_id, recording_id, finish_state FROM candidate_progress
  WHERE stage = 'finish' AND json_extract(finish_state, '$.report') IS NOT 'done'`;

export async function up(db: Kysely<unknown>): Promise<void> {
  // The recording queued for upload (its handler returns at once when it already was).
  await sql`INSERT INTO jobs (kind, session_id, dedupe_key, payload, max_attempts, next_attempt_at, created_at, updated_at)
    SELECT 'recording_upload', f.session_id, f.session_id, json_object('recordingId', f.recording_id),
           100, ${NOW_MS}, ${NOW_ISO}, ${NOW_ISO}
    FROM (${FINISHING}) f
    WHERE true -- SQLite needs a WHERE before an upsert's ON CONFLICT after a SELECT
    ON CONFLICT (kind, dedupe_key) DO NOTHING`.execute(db);
  // Spoken answers still waiting for their transcript (the old wait was in memory and is gone).
  await sql`INSERT INTO jobs (kind, session_id, dedupe_key, payload, max_attempts, next_attempt_at, created_at, updated_at)
    SELECT 'transcription', a.session_id, a.question_id, json_object('answerId', a.question_id),
           3, ${NOW_MS}, ${NOW_ISO}, ${NOW_ISO}
    FROM answers a JOIN (${FINISHING}) f ON f.session_id = a.session_id
    WHERE a.transcription_status = 'pending'
    ON CONFLICT (kind, dedupe_key) DO NOTHING`.execute(db);
  // The evaluation keeps the attempts of its evaluation_jobs row; a done one is found by the
  // handler (it then only asks for the report).
  await sql`INSERT INTO jobs (kind, session_id, dedupe_key, payload, attempts, max_attempts, next_attempt_at,
      last_error_code, last_error_message, created_at, updated_at)
    SELECT 'evaluation', f.session_id, f.session_id, '{}', coalesce(e.attempts, 0),
           max(100, coalesce(e.attempts, 0) + 1), ${NOW_MS},
           CASE WHEN e.last_error IS NULL THEN NULL ELSE 'UNAVAILABLE' END, e.last_error,
           ${NOW_ISO}, ${NOW_ISO}
    FROM (${FINISHING}) f LEFT JOIN evaluation_jobs e ON e.session_id = f.session_id
    WHERE true
    ON CONFLICT (kind, dedupe_key) DO NOTHING`.execute(db);
  // The evaluation runs after the upload and the transcriptions of its session, as for new sessions.
  await sql`INSERT OR IGNORE INTO job_deps (job_id, depends_on)
    SELECT e.id, d.id FROM jobs e JOIN jobs d ON d.session_id = e.session_id
      AND d.kind IN ('recording_upload', 'transcription')
    WHERE e.kind = 'evaluation' AND e.status = 'queued'
      AND e.session_id IN (SELECT session_id FROM (${FINISHING}))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The carried work goes back to finish_state's keeping: the rows this migration made are removed.
  await sql`DELETE FROM jobs WHERE session_id IN (SELECT session_id FROM (${FINISHING}))
    AND kind IN ('recording_upload', 'transcription', 'evaluation') AND status = 'queued'`.execute(db);
}
