// Evaluations and the persisted evaluation jobs that produce them: a session ends at once and its
// evaluation is queued here, retried while the provider is offline or failing.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('evaluations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('evaluator', 'text', (c) => c.notNull().check(sql`evaluator in ('openai', 'local')`))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('professionalism', 'integer', (c) => c.notNull())
    .addColumn('subject_knowledge', 'integer', (c) => c.notNull())
    .addColumn('clarity', 'integer', (c) => c.notNull())
    .addColumn('overall', 'integer', (c) => c.notNull())
    .addColumn('traits', 'text', (c) => c.notNull())
    .addColumn('suggestions', 'text', (c) => c.notNull())
    .addColumn('feedback', 'text', (c) => c.notNull())
    .addColumn('question_responses', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('evaluations_session').on('evaluations').column('session_id').execute();

  await db.schema
    .createTable('evaluation_jobs')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('queued', 'running', 'done', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('evaluation_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('evaluation_jobs_due')
    .on('evaluation_jobs')
    .columns(['status', 'next_attempt_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('evaluation_jobs').execute();
  await db.schema.dropTable('evaluations').execute();
}
