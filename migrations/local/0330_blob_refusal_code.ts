// Local SQLite: the error code of a refused upload next to its reason (central 0520 storage
// quotas). A file the server refused for its quota is not refused for good: once an administrator
// raises the exam's quota, `vigil sync retry` (and every start of the uploader) sends it again.
// The code, not the reason's wording, picks those files out.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE blob_uploads ADD COLUMN reason_code TEXT`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE blob_uploads DROP COLUMN reason_code`.execute(db);
}
