// Token-usage rows go to the central server through the outbox. Each row gets a random UUID: its id
// in central `token_usage` and its idempotency key. Not the rowid: a row lost to a power failure
// frees its rowid for the next row, which would then be taken for a duplicate and dropped. Rows
// written before this migration keep NULL until the ledger queues them (TokenLedger.queueBacklog).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE token_usage ADD COLUMN central_id TEXT`.execute(db);
  await sql`CREATE UNIQUE INDEX token_usage_central_id ON token_usage(central_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX token_usage_central_id`.execute(db);
  await sql`ALTER TABLE token_usage DROP COLUMN central_id`.execute(db);
}
