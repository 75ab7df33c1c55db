// Local SQLite: where each candidate session stands in the flow (consent → system check → ID →
// interview → finish), so a reload or a restart resumes at the same screen, and what the work after
// the session (merge, evaluation, report, upload) has done so far.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE candidate_progress (
    session_id TEXT PRIMARY KEY,
    exam_id TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('system_check', 'id_verification', 'interview', 'finish')),
    consented_at TEXT NOT NULL,
    analysis_fps REAL NOT NULL DEFAULT 2,
    recording_id TEXT,
    id_decision TEXT,
    reference_embedding TEXT,
    finish_state TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(finish_state)),
    updated_at TEXT NOT NULL
  ) STRICT`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE candidate_progress`.execute(db);
}
