// Local SQLite: the signed-in device (one row) and cached exam definitions, so an enrolled exam can
// start and run with the central server unreachable.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE device (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    device_id TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    exam_id TEXT NOT NULL,
    central_label TEXT,
    token_storage TEXT NOT NULL CHECK (token_storage IN ('file', 'safeStorage')),
    enrolled_at TEXT NOT NULL,
    expires_at TEXT
  ) STRICT`.execute(db);
  await sql`CREATE TABLE cached_exams (
    id TEXT PRIMARY KEY,
    definition TEXT NOT NULL CHECK (json_valid(definition)),
    fetched_at TEXT NOT NULL
  ) STRICT`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE cached_exams`.execute(db);
  await sql`DROP TABLE device`.execute(db);
}
