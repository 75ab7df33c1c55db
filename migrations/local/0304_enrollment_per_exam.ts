// Local SQLite: one enrollment per exam instead of one device row. Each redemption of a code gives
// its own central device row and token, so each exam this installation is enrolled for keeps its
// own credential (token_file names its file in the data folder; the token itself never enters
// SQLite). The one row of `device` becomes the first enrollment, its token the existing
// `device-token` file. The outbox records the exam each item belongs to (the exam of its session,
// or the exam of a usage row without one), so the uploader sends it with that exam's credential only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE enrollments (
    exam_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL UNIQUE,
    candidate_id TEXT NOT NULL,
    central_label TEXT,
    token_storage TEXT NOT NULL CHECK (token_storage IN ('file', 'safeStorage')),
    token_file TEXT NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    expires_at TEXT
  ) STRICT`.execute(db);
  await sql`INSERT INTO enrollments (exam_id, device_id, candidate_id, central_label, token_storage, token_file,
      enrolled_at, expires_at)
    SELECT exam_id, device_id, candidate_id, central_label, token_storage, 'device-token', enrolled_at, expires_at
    FROM device`.execute(db);
  await sql`DROP TABLE device`.execute(db);

  await sql`ALTER TABLE outbox ADD COLUMN exam_id TEXT`.execute(db);
  // Items queued before: the session named in the payload (events carry it in their body), or the
  // exam of the usage row the item describes. With one enrollment before this migration, an item
  // left without an exam still belongs to it (the uploader sends exam-less items with the latest).
  await sql`UPDATE outbox SET exam_id = coalesce(
      (SELECT s.exam_id FROM sessions s WHERE s.id = coalesce(
        json_extract(outbox.payload, '$.sessionId'),
        CASE WHEN outbox.kind IN ('session.start', 'session.update') THEN json_extract(outbox.payload, '$.id') END,
        CASE WHEN outbox.kind = 'event' THEN json_extract(json_extract(outbox.payload, '$.body'), '$.sessionId') END)),
      CASE WHEN outbox.kind = 'token_usage' THEN
        (SELECT u.exam_id FROM token_usage u WHERE u.central_id = json_extract(outbox.payload, '$.id')) END)`.execute(
    db,
  );
  await sql`CREATE INDEX outbox_exam_pending ON outbox(status, exam_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX outbox_exam_pending`.execute(db);
  await sql`ALTER TABLE outbox DROP COLUMN exam_id`.execute(db);
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
  await sql`INSERT INTO device (id, device_id, candidate_id, exam_id, central_label, token_storage, enrolled_at, expires_at)
    SELECT 1, device_id, candidate_id, exam_id, central_label, token_storage, enrolled_at, expires_at
    FROM enrollments WHERE token_file = 'device-token'`.execute(db);
  await sql`DROP TABLE enrollments`.execute(db);
}
