// Local SQLite: an enrollment per exam instead of one device row. Each redemption of a code is its
// own central device row with its own token, so each enrollment keeps its own credential
// (token_file names its file in the data folder; the token itself never enters SQLite). An exam
// enrolled again gets a new row that becomes its current one; the earlier row stays for the
// sessions started under it (central files a session under the device row it started on).
// The one `device` row becomes the first enrollment, its token the existing `device-token` file.
// Each session records the enrollment (central device row) it was started under, and each outbox
// item the enrollment whose credential sends it, so an item never goes with another one's token.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE enrollments (
    device_id TEXT PRIMARY KEY,
    exam_id TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    central_label TEXT,
    token_storage TEXT NOT NULL CHECK (token_storage IN ('file', 'safeStorage')),
    token_file TEXT NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    expires_at TEXT
  ) STRICT`.execute(db);
  await sql`CREATE INDEX enrollments_exam ON enrollments(exam_id, enrolled_at)`.execute(db);
  await sql`INSERT INTO enrollments (device_id, exam_id, candidate_id, central_label, token_storage, token_file,
      enrolled_at, expires_at)
    SELECT device_id, exam_id, candidate_id, central_label, token_storage, 'device-token', enrolled_at, expires_at
    FROM device`.execute(db);

  // Sessions so far were all started under the one device row (when there was one).
  await sql`ALTER TABLE sessions ADD COLUMN device_id TEXT`.execute(db);
  await sql`UPDATE sessions SET device_id = (SELECT device_id FROM device)`.execute(db);
  await sql`DROP TABLE device`.execute(db);

  await sql`ALTER TABLE outbox ADD COLUMN device_id TEXT`.execute(db);
  // Items queued before: the session named in the payload (events carry it in their body); a usage
  // row outside a session goes with the one enrollment, as it would have before.
  await sql`UPDATE outbox SET device_id = coalesce(
      (SELECT s.device_id FROM sessions s WHERE s.id = coalesce(
        json_extract(outbox.payload, '$.sessionId'),
        CASE WHEN outbox.kind IN ('session.start', 'session.update') THEN json_extract(outbox.payload, '$.id') END,
        CASE WHEN outbox.kind = 'event' THEN json_extract(json_extract(outbox.payload, '$.body'), '$.sessionId') END)),
      (SELECT device_id FROM enrollments))`.execute(db);
  await sql`CREATE INDEX outbox_device_pending ON outbox(status, device_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX outbox_device_pending`.execute(db);
  await sql`ALTER TABLE outbox DROP COLUMN device_id`.execute(db);
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
  await sql`ALTER TABLE sessions DROP COLUMN device_id`.execute(db);
  await sql`DROP TABLE enrollments`.execute(db);
}
