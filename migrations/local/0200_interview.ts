// Interview tables: the exam as it was given to a session, the questions asked in order, the answers
// (typed text, answer audio, transcript) and the conversation as ordered messages.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('session_exams')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('exam_id', 'text', (c) => c.notNull())
    .addColumn('exam_json', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();

  await db.schema
    .createTable('questions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('time_limit_s', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('admin', 'ai', 'local')`))
    .addColumn('asked_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('close_reason', 'text', (c) =>
      c.check(sql`close_reason in ('answered', 'time_limit', 'ended', 'interrupted')`),
    )
    .addUniqueConstraint('questions_session_seq', ['session_id', 'seq'])
    .execute();

  await db.schema
    .createTable('answers')
    .addColumn('question_id', 'text', (c) => c.primaryKey().references('questions.id').onDelete('cascade'))
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('audio_path', 'text')
    .addColumn('audio_mime', 'text')
    .addColumn('transcript', 'text')
    .addColumn('transcription_status', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('elapsed_ms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('timed_out', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('final', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('answers_session').on('answers').column('session_id').execute();

  await db.schema
    .createTable('messages')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('system', 'assistant', 'user')`))
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('question_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('messages_pk', ['session_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['messages', 'answers', 'questions', 'session_exams'])
    await db.schema.dropTable(table).execute();
}
