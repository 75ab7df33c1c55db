// Local SQLite: the cached exam sealed at rest (central migration 0445). `definition` keeps only
// what the exam list shows before the start (title, length, window, upload mode, retention); the
// questions, policy, resume and job listing are in `sealed`, which opens with the key the server
// releases at the start, or with the key in `offline_wrapped_key` for a start code typed offline.
// A cache from an older version holds the questions in plaintext: it is dropped, and the app
// fetches each enrolled exam again (sealed) the next time the server is reachable.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite leaves a dropped table's freed pages as they were: the old questions would stay in the
  // file. secure_delete zeroes what this drop frees; it is a connection flag, set back after.
  const [was] = (await sql<{ secure_delete: number }>`PRAGMA secure_delete`.execute(db)).rows;
  await sql`PRAGMA secure_delete = ON`.execute(db);
  await sql`DELETE FROM cached_exams`.execute(db);
  await sql`DROP TABLE cached_exams`.execute(db);
  await sql.raw(`PRAGMA secure_delete = ${was?.secure_delete ? 'ON' : 'OFF'}`).execute(db);
  await sql`CREATE TABLE cached_exams (
    id TEXT PRIMARY KEY,
    definition TEXT NOT NULL CHECK (json_valid(definition)),
    sealed BLOB NOT NULL,
    offline_salt BLOB,
    offline_wrapped_key BLOB,
    fetched_at TEXT NOT NULL
  ) STRICT`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE cached_exams`.execute(db);
  await sql`CREATE TABLE cached_exams (
    id TEXT PRIMARY KEY,
    definition TEXT NOT NULL CHECK (json_valid(definition)),
    fetched_at TEXT NOT NULL
  ) STRICT`.execute(db);
}
