// The token ledger: one row per request to a model provider, with its exact cost in nano-dollars
// (integer, so sums are exact), and the session/exam/user it is billed to.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('token_usage')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('request_type', 'text', (c) =>
      c.notNull().check(sql`request_type in ('evaluation', 'question_generation', 'transcription')`),
    )
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('prompt_tokens', 'integer', (c) => c.notNull())
    .addColumn('completion_tokens', 'integer', (c) => c.notNull())
    .addColumn('total_tokens', 'integer', (c) => c.notNull())
    .addColumn('audio_seconds', 'real')
    .addColumn('cost_nano_usd', 'integer')
    .addColumn('session_id', 'text')
    .addColumn('exam_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('http_status', 'integer')
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('token_usage_exam').on('token_usage').column('exam_id').execute();
  await db.schema.createIndex('token_usage_created').on('token_usage').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('token_usage').execute();
}
