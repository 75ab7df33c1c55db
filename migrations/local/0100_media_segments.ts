// Media bookkeeping: one row per recording, per segment file (one MediaRecorder run) and per chunk
// appended to it (offset, size, sha256), plus media events (disk low, crash gap) for the proctor
// record. Chunk rows are written in the same transaction as the segment's durable length.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('media_recordings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('dir', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('upload_mode', 'text', (c) => c.notNull().check(sql`upload_mode in ('full', 'flags_only')`))
    .addColumn('mp4', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('recording', 'stopped', 'merged', 'recovered', 'failed')`),
    )
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('stop_reason', 'text')
    .addColumn('merged_path', 'text')
    .addColumn('merged_duration_s', 'real')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('media_recordings_session')
    .on('media_recordings')
    .column('session_id')
    .execute();
  await db.schema.createIndex('media_recordings_state').on('media_recordings').column('state').execute();

  await db.schema
    .createTable('media_segments')
    .addColumn('recording_id', 'text', (c) =>
      c.notNull().references('media_recordings.id').onDelete('cascade'),
    )
    .addColumn('segment', 'integer', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('durable_bytes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('chunks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('recorded_ms', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_chunk_at', 'text')
    .addPrimaryKeyConstraint('media_segments_pk', ['recording_id', 'segment'])
    .execute();

  await db.schema
    .createTable('media_chunks')
    .addColumn('recording_id', 'text', (c) => c.notNull())
    .addColumn('segment', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('offset', 'integer', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('elapsed_ms', 'real', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('media_chunks_pk', ['recording_id', 'segment', 'seq'])
    .addForeignKeyConstraint(
      'media_chunks_segment',
      ['recording_id', 'segment'],
      'media_segments',
      ['recording_id', 'segment'],
      (c) => c.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('media_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('recording_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against any schema
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('media_events').execute();
  await db.schema.dropTable('media_chunks').execute();
  await db.schema.dropTable('media_segments').execute();
  await db.schema.dropTable('media_recordings').execute();
}
