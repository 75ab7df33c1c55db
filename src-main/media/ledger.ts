// SQLite bookkeeping of recordings, segment files and chunks. Takes a Kysely handle so it can run on
// the local store's database; `openLedgerDatabase` opens one itself (WAL, synchronous=FULL) until
// the store lands. A chunk row and its segment's durable length always change in one transaction.
import Database from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  SqliteDialect,
  type Generated,
  type Migration,
  type MigrationProvider,
} from 'kysely';
import { localMigrations } from '../../migrations/local/index';

export type RecordingState = 'recording' | 'stopped' | 'merged' | 'recovered' | 'failed';
export type UploadMode = 'full' | 'flags_only';

export interface MediaTables {
  media_recordings: {
    id: string;
    session_id: string;
    dir: string;
    mime_type: string;
    upload_mode: UploadMode;
    mp4: number;
    state: RecordingState;
    started_at: string;
    ended_at: string | null;
    stop_reason: string | null;
    merged_path: string | null;
    merged_duration_s: number | null;
    error: string | null;
  };
  media_segments: {
    recording_id: string;
    segment: number;
    file: string;
    durable_bytes: number;
    chunks: number;
    recorded_ms: number;
    created_at: string;
    last_chunk_at: string | null;
  };
  media_chunks: {
    recording_id: string;
    segment: number;
    seq: number;
    offset: number;
    size: number;
    sha256: string;
    elapsed_ms: number;
    received_at: string;
  };
  media_events: {
    id: Generated<number>;
    recording_id: string;
    session_id: string;
    kind: string;
    payload: string;
    at: string;
  };
}

export type RecordingRow = MediaTables['media_recordings'];
export type SegmentRow = MediaTables['media_segments'];
export type ChunkRow = MediaTables['media_chunks'];

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

export interface LedgerDatabase {
  db: Kysely<MediaTables>;
  close(): Promise<void>;
}

/** Opens (creating if needed) a SQLite file for the ledger and brings its schema up to date. */
export async function openLedgerDatabase(file: string): Promise<LedgerDatabase> {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<MediaTables>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateLocal(db);
  return { db, close: () => db.destroy() };
}

export async function migrateLocal(db: Kysely<MediaTables>): Promise<void> {
  // Unordered: the store's 0001–0099 may arrive after a database already ran 0100+.
  const migrator = new Migrator({
    db,
    provider: new StaticProvider(localMigrations),
    allowUnorderedMigrations: true,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
}

export class MediaLedger {
  constructor(readonly db: Kysely<MediaTables>) {}

  async createRecording(row: RecordingRow): Promise<void> {
    await this.db.insertInto('media_recordings').values(row).execute();
  }

  async recording(id: string): Promise<RecordingRow | undefined> {
    return this.db.selectFrom('media_recordings').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async activeRecordingForSession(sessionId: string): Promise<RecordingRow | undefined> {
    return this.db
      .selectFrom('media_recordings')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('state', '=', 'recording')
      .orderBy('started_at', 'desc')
      .executeTakeFirst();
  }

  async unfinishedRecordings(): Promise<RecordingRow[]> {
    return this.db
      .selectFrom('media_recordings')
      .selectAll()
      .where('state', 'in', ['recording', 'stopped'])
      .orderBy('started_at')
      .execute();
  }

  async updateRecording(id: string, patch: Partial<RecordingRow>): Promise<void> {
    await this.db.updateTable('media_recordings').set(patch).where('id', '=', id).execute();
  }

  async addSegment(row: SegmentRow): Promise<void> {
    await this.db.insertInto('media_segments').values(row).execute();
  }

  async segments(recordingId: string): Promise<SegmentRow[]> {
    return this.db
      .selectFrom('media_segments')
      .selectAll()
      .where('recording_id', '=', recordingId)
      .orderBy('segment')
      .execute();
  }

  async segment(recordingId: string, segment: number): Promise<SegmentRow | undefined> {
    return this.db
      .selectFrom('media_segments')
      .selectAll()
      .where('recording_id', '=', recordingId)
      .where('segment', '=', segment)
      .executeTakeFirst();
  }

  async chunk(recordingId: string, segment: number, seq: number): Promise<ChunkRow | undefined> {
    return this.db
      .selectFrom('media_chunks')
      .selectAll()
      .where('recording_id', '=', recordingId)
      .where('segment', '=', segment)
      .where('seq', '=', seq)
      .executeTakeFirst();
  }

  async chunks(recordingId: string, segment: number): Promise<ChunkRow[]> {
    return this.db
      .selectFrom('media_chunks')
      .selectAll()
      .where('recording_id', '=', recordingId)
      .where('segment', '=', segment)
      .orderBy('seq')
      .execute();
  }

  /** Records a chunk that is already fsync'd, together with its segment's new durable length. */
  async recordChunk(chunk: ChunkRow): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('media_chunks').values(chunk).execute();
      await trx
        .updateTable('media_segments')
        .set({
          durable_bytes: chunk.offset + chunk.size,
          chunks: chunk.seq + 1,
          recorded_ms: chunk.elapsed_ms,
          last_chunk_at: chunk.received_at,
        })
        .where('recording_id', '=', chunk.recording_id)
        .where('segment', '=', chunk.segment)
        .execute();
    });
  }

  /** Forgets chunks from `fromSeq` on (recovery: bytes no longer on disk). */
  async dropChunksFrom(recordingId: string, segment: number, fromSeq: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('media_chunks')
        .where('recording_id', '=', recordingId)
        .where('segment', '=', segment)
        .where('seq', '>=', fromSeq)
        .execute();
      const last = await trx
        .selectFrom('media_chunks')
        .selectAll()
        .where('recording_id', '=', recordingId)
        .where('segment', '=', segment)
        .orderBy('seq', 'desc')
        .executeTakeFirst();
      await trx
        .updateTable('media_segments')
        .set({
          durable_bytes: last ? last.offset + last.size : 0,
          chunks: last ? last.seq + 1 : 0,
          recorded_ms: last ? last.elapsed_ms : 0,
          last_chunk_at: last ? last.received_at : null,
        })
        .where('recording_id', '=', recordingId)
        .where('segment', '=', segment)
        .execute();
    });
  }

  async setSegmentRecordedMs(recordingId: string, segment: number, recordedMs: number): Promise<void> {
    await this.db
      .updateTable('media_segments')
      .set({ recorded_ms: recordedMs })
      .where('recording_id', '=', recordingId)
      .where('segment', '=', segment)
      .execute();
  }

  async addEvent(recording: RecordingRow, kind: string, payload: Record<string, unknown>): Promise<void> {
    await this.db
      .insertInto('media_events')
      .values({
        recording_id: recording.id,
        session_id: recording.session_id,
        kind,
        payload: JSON.stringify(payload),
        at: new Date().toISOString(),
      })
      .execute();
  }

  async events(
    recordingId: string,
  ): Promise<{ kind: string; payload: Record<string, unknown>; at: string }[]> {
    const rows = await this.db
      .selectFrom('media_events')
      .selectAll()
      .where('recording_id', '=', recordingId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      kind: r.kind,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
      at: r.at,
    }));
  }
}
