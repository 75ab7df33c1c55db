// SQLite bookkeeping of recordings, segment files and chunks, on the one local store (its tables are
// typed in src-main/store/schema.ts). A chunk row and its segment's durable length always change in
// one transaction. Methods stay async for the media service; the store's writes are synchronous.
import { enqueueJob, runJobNow } from '../store/jobs';
import type { LocalStore } from '../store/local-store';
import type { MediaTables, RecordingState, UploadMode } from '../store/schema';

export type { MediaTables, RecordingState, UploadMode };
export type RecordingRow = MediaTables['media_recordings'];
export type SegmentRow = MediaTables['media_segments'];
export type ChunkRow = MediaTables['media_chunks'];

export class MediaLedger {
  constructor(readonly store: LocalStore) {}

  async createRecording(row: RecordingRow): Promise<void> {
    this.store.write('recording started', (tx) => tx.run(tx.q.insertInto('media_recordings').values(row)));
  }

  async recording(id: string): Promise<RecordingRow | undefined> {
    const q = this.store.q;
    return this.store.first(q.selectFrom('media_recordings').selectAll().where('id', '=', id));
  }

  async activeRecordingForSession(sessionId: string): Promise<RecordingRow | undefined> {
    const q = this.store.q;
    return this.store.first(
      q
        .selectFrom('media_recordings')
        .selectAll()
        .where('session_id', '=', sessionId)
        .where('state', '=', 'recording')
        .orderBy('started_at', 'desc'),
    );
  }

  /**
   * Recordings a crash left unmerged. One still `recording` whose session is still in progress is
   * not among them: that session continues it in a new segment when the candidate is back, or
   * queues its merge when it finishes without them.
   */
  async unfinishedRecordings(): Promise<RecordingRow[]> {
    const q = this.store.q;
    return this.store.all(
      q
        .selectFrom('media_recordings')
        .selectAll()
        .where('state', 'in', ['recording', 'stopped'])
        .where((eb) =>
          eb.or([
            eb('state', '=', 'stopped'),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('sessions')
                  .select('sessions.id')
                  .whereRef('sessions.id', '=', 'media_recordings.session_id')
                  .where('sessions.status', '=', 'in_progress'),
              ),
            ),
          ]),
        )
        .orderBy('started_at'),
    );
  }

  async updateRecording(id: string, patch: Partial<RecordingRow>): Promise<void> {
    this.store.write('recording updated', (tx) =>
      tx.run(tx.q.updateTable('media_recordings').set(patch).where('id', '=', id)),
    );
  }

  /**
   * Marks the recording stopped and queues its merge in the same transaction: a crash right after
   * the stop leaves a job the next start runs, never a stopped recording nobody merges.
   */
  async stopAndQueueMerge(
    recording: Pick<RecordingRow, 'id' | 'session_id'>,
    patch: Pick<RecordingRow, 'ended_at' | 'stop_reason'>,
  ): Promise<number> {
    return this.store.write('recording stopped', (tx) => {
      tx.run(
        tx.q
          .updateTable('media_recordings')
          .set({ ...patch, state: 'stopped' })
          .where('id', '=', recording.id),
      );
      return enqueueJob(tx, {
        kind: 'merge',
        sessionId: recording.session_id,
        key: recording.id,
        payload: { recordingId: recording.id },
      });
    });
  }

  /** Queues the recording's merge if it is not (a recording a crash left), due now. Returns the job id. */
  queueMergeNow(recording: Pick<RecordingRow, 'id' | 'session_id'>, recovery: boolean): number {
    return this.store.write('merge requested', (tx) => {
      const id = enqueueJob(tx, {
        kind: 'merge',
        sessionId: recording.session_id,
        key: recording.id,
        payload: { recordingId: recording.id, ...(recovery ? { recovery } : {}) },
      });
      runJobNow(tx, 'merge', recording.id);
      return id;
    });
  }

  async addSegment(row: SegmentRow): Promise<void> {
    this.store.write('recording segment', (tx) => tx.run(tx.q.insertInto('media_segments').values(row)));
  }

  async segments(recordingId: string): Promise<SegmentRow[]> {
    const q = this.store.q;
    return this.store.all(
      q.selectFrom('media_segments').selectAll().where('recording_id', '=', recordingId).orderBy('segment'),
    );
  }

  async segment(recordingId: string, segment: number): Promise<SegmentRow | undefined> {
    const q = this.store.q;
    return this.store.first(
      q
        .selectFrom('media_segments')
        .selectAll()
        .where('recording_id', '=', recordingId)
        .where('segment', '=', segment),
    );
  }

  async chunk(recordingId: string, segment: number, seq: number): Promise<ChunkRow | undefined> {
    const q = this.store.q;
    return this.store.first(
      q
        .selectFrom('media_chunks')
        .selectAll()
        .where('recording_id', '=', recordingId)
        .where('segment', '=', segment)
        .where('seq', '=', seq),
    );
  }

  async chunks(recordingId: string, segment: number): Promise<ChunkRow[]> {
    const q = this.store.q;
    return this.store.all(
      q
        .selectFrom('media_chunks')
        .selectAll()
        .where('recording_id', '=', recordingId)
        .where('segment', '=', segment)
        .orderBy('seq'),
    );
  }

  /** Records a chunk that is already fsync'd, together with its segment's new durable length. */
  async recordChunk(chunk: ChunkRow): Promise<void> {
    this.store.write('recording chunk', (tx) => {
      tx.run(tx.q.insertInto('media_chunks').values(chunk));
      tx.run(
        tx.q
          .updateTable('media_segments')
          .set({
            durable_bytes: chunk.offset + chunk.size,
            chunks: chunk.seq + 1,
            recorded_ms: chunk.elapsed_ms,
            last_chunk_at: chunk.received_at,
          })
          .where('recording_id', '=', chunk.recording_id)
          .where('segment', '=', chunk.segment),
      );
    });
  }

  /** Forgets chunks from `fromSeq` on (recovery: bytes no longer on disk). */
  async dropChunksFrom(recordingId: string, segment: number, fromSeq: number): Promise<void> {
    this.store.write('recording recovery', (tx) => {
      tx.run(
        tx.q
          .deleteFrom('media_chunks')
          .where('recording_id', '=', recordingId)
          .where('segment', '=', segment)
          .where('seq', '>=', fromSeq),
      );
      const last = tx.first(
        tx.q
          .selectFrom('media_chunks')
          .selectAll()
          .where('recording_id', '=', recordingId)
          .where('segment', '=', segment)
          .orderBy('seq', 'desc')
          .limit(1),
      );
      tx.run(
        tx.q
          .updateTable('media_segments')
          .set({
            durable_bytes: last ? last.offset + last.size : 0,
            chunks: last ? last.seq + 1 : 0,
            recorded_ms: last ? last.elapsed_ms : 0,
            last_chunk_at: last ? last.received_at : null,
          })
          .where('recording_id', '=', recordingId)
          .where('segment', '=', segment),
      );
    });
  }

  async setSegmentRecordedMs(recordingId: string, segment: number, recordedMs: number): Promise<void> {
    this.store.write('recording length', (tx) =>
      tx.run(
        tx.q
          .updateTable('media_segments')
          .set({ recorded_ms: recordedMs })
          .where('recording_id', '=', recordingId)
          .where('segment', '=', segment),
      ),
    );
  }

  async addEvent(recording: RecordingRow, kind: string, payload: Record<string, unknown>): Promise<void> {
    this.store.write('recording event', (tx) =>
      tx.run(
        tx.q.insertInto('media_events').values({
          recording_id: recording.id,
          session_id: recording.session_id,
          kind,
          payload: JSON.stringify(payload),
          at: new Date().toISOString(),
        }),
      ),
    );
  }

  async events(
    recordingId: string,
  ): Promise<{ kind: string; payload: Record<string, unknown>; at: string }[]> {
    const q = this.store.q;
    const rows = this.store.all(
      q.selectFrom('media_events').selectAll().where('recording_id', '=', recordingId).orderBy('id'),
    );
    return rows.map((r) => ({
      kind: r.kind,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
      at: r.at,
    }));
  }
}
