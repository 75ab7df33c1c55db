// Local SQLite: the outbox (one row per item still to send, written in the same transaction as the
// domain row) and blob uploads (files going up in chunks, resumable from the server's offset).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'rejected')),
    reason TEXT
  ) STRICT`.execute(db);
  await sql`CREATE INDEX outbox_pending ON outbox(status, id)`.execute(db);
  await sql`CREATE TABLE blob_uploads (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'id_image', 'video', 'audio', 'pdf', 'other')),
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    content_type TEXT NOT NULL,
    uploaded_bytes INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'rejected')),
    delete_after_upload INTEGER NOT NULL DEFAULT 0 CHECK (delete_after_upload IN (0, 1)),
    receipt TEXT,
    reason TEXT,
    created_at TEXT NOT NULL,
    completed_at TEXT
  ) STRICT`.execute(db);
  await sql`CREATE INDEX blob_uploads_status ON blob_uploads(status, created_at)`.execute(db);
  await sql`CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['sync_state', 'blob_uploads', 'outbox']) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
