// Local SQLite: sessions, their hash-chained events, warnings and snapshots. Deleting a session
// removes everything recorded for it (foreign keys are on for every connection).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    exam_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'in_progress'
      CHECK (status IN ('in_progress', 'completed', 'abandoned', 'terminated')),
    started_at TEXT NOT NULL,
    ended_at TEXT,
    id_verification_status TEXT CHECK (id_verification_status IN ('verified', 'needs_review', 'rejected')),
    id_details TEXT CHECK (id_details IS NULL OR json_valid(id_details)),
    risk_score REAL CHECK (risk_score IS NULL OR risk_score BETWEEN 0 AND 100),
    chain_seq INTEGER NOT NULL DEFAULT 0,
    chain_head BLOB NOT NULL DEFAULT (zeroblob(32))
  ) STRICT`.execute(db);
  await sql`CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (session_id, seq)
  ) STRICT, WITHOUT ROWID`.execute(db);
  await sql`CREATE TABLE warnings (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    started_at TEXT NOT NULL,
    ended_at TEXT,
    confidence REAL CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 1),
    details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
    snapshot_id TEXT
  ) STRICT`.execute(db);
  await sql`CREATE INDEX warnings_session ON warnings(session_id)`.execute(db);
  await sql`CREATE TABLE snapshots (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    warning_id TEXT REFERENCES warnings(id) ON DELETE SET NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    taken_at TEXT NOT NULL
  ) STRICT`.execute(db);
  await sql`CREATE INDEX snapshots_session ON snapshots(session_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['snapshots', 'warnings', 'events', 'sessions']) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
