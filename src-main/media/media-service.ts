// The recording service: opens recordings and segments, appends each MediaRecorder chunk durably
// (write + fdatasync, then the chunk row in SQLite; only then acknowledged), guards free disk space,
// merges at the end and recovers recordings a crash left unfinished. Segment files are never
// deleted here: they stay until the merged file is checked and the uploader/retention says so.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { EventName, EventPayload, MergedRecording } from '../../src-preload/contract';
import type { Logger } from '../log/logger';
import type { MediaBinaries } from './binaries';
import { assessDisk, bytesNeededToStart } from './disk-guard';
import { realDiskIo, syncDirectory, type DiskIo } from './disk-io';
import type { MediaLedger, RecordingRow, SegmentRow, UploadMode } from './ledger';
import { ensureWritableDir, fsError, mediaError, mediaErrorReason } from './media-error';
import { mergeSegments, type MergeFormat } from './merge';
import { checkMerged, probeMedia } from './probe';
import type { JobContext, JobRunner } from '../store/job-runner';
import type { JobPayloads, JsonValue } from '../store/jobs';

export const DEFAULT_TIMESLICE_MS = 2000;
/** Bitrate assumed when the recorder does not say (video + audio, with headroom over 1.064 Mbit/s). */
export const DEFAULT_BITS_PER_SECOND = 1_200_000;

export interface MediaServiceOptions {
  ledger: MediaLedger;
  recordingsDir: string;
  /** Resolved lazily so a missing binary surfaces as a typed error at merge time, not at boot. */
  binaries: () => MediaBinaries;
  reserveBytes: number;
  io?: DiskIo;
  emit?: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  logger?: Logger;
  timesliceMs?: number;
  /** Encoder threads for MP4 merges. */
  mp4Threads?: number;
  /** The device's job runner on the ledger's store: merges are its `merge` jobs. */
  jobs: JobRunner;
}

/** What a merge job returns (its row's result; a type, so it is assignable to JsonValue). */
type MergeJobResult = {
  merged: MergedRecording;
  droppedChunks: number;
};

export interface StartRequest {
  sessionId: string;
  mimeType: string;
  expectedDurationS: number;
  bitsPerSecond?: number;
  uploadMode?: UploadMode;
  mp4?: boolean;
}

export interface ChunkRequest {
  recordingId: string;
  segment: number;
  seq: number;
  elapsedMs: number;
  bytes: Uint8Array;
}

export interface ChunkAck {
  segment: number;
  seq: number;
  durableBytes: number;
  freeBytes: number;
  stop: 'disk_low' | null;
}

export interface RecoveryOutcome {
  recordingId: string;
  sessionId: string;
  ok: boolean;
  merged?: MergedRecording;
  droppedChunks?: number;
  error?: { code: string; message: string; reason?: string };
}

interface LiveRecording {
  bytesPerSecond: number;
  largestChunk: number;
  /** Durable bytes of all segments; undefined until first computed from the ledger. */
  recordedBytes: number;
  recordedKnown: boolean;
  warned: boolean;
  stopAsked: boolean;
  handles: Map<number, FileHandle>;
}

function extensionFor(mimeType: string): string {
  if (/webm/i.test(mimeType)) return 'webm';
  if (/mp4/i.test(mimeType)) return 'mp4';
  return 'mkv';
}

export function segmentFileName(segment: number, mimeType: string): string {
  return `segment-${String(segment).padStart(5, '0')}.${extensionFor(mimeType)}`;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class MediaService {
  private readonly io: DiskIo;
  private readonly live = new Map<string, LiveRecording>();
  private readonly locks = new Map<string, Promise<unknown>>();
  readonly timesliceMs: number;

  constructor(private readonly options: MediaServiceOptions) {
    this.io = options.io ?? realDiskIo;
    this.timesliceMs = options.timesliceMs ?? DEFAULT_TIMESLICE_MS;
    options.jobs.register('merge', (payload, context) => this.runMergeJob(payload, context));
  }

  get ledger(): MediaLedger {
    return this.options.ledger;
  }

  /** Runs `task` after every earlier task of the same recording: chunks are appended in order. */
  private serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return next;
  }

  private liveState(recordingId: string, bitsPerSecond?: number): LiveRecording {
    let state = this.live.get(recordingId);
    if (!state) {
      state = {
        bytesPerSecond: (bitsPerSecond ?? DEFAULT_BITS_PER_SECOND) / 8,
        largestChunk: 0,
        recordedBytes: 0,
        recordedKnown: false,
        warned: false,
        stopAsked: false,
        handles: new Map(),
      };
      this.live.set(recordingId, state);
    }
    return state;
  }

  async start(
    request: StartRequest,
  ): Promise<{ recordingId: string; segment: number; freeBytes: number; timesliceMs: number }> {
    const bytesPerSecond = (request.bitsPerSecond ?? DEFAULT_BITS_PER_SECOND) / 8;
    ensureWritableDir(this.options.recordingsDir, 'recordings');
    const freeBytes = await this.io.freeBytes(this.options.recordingsDir);
    const needed = bytesNeededToStart(request.expectedDurationS, bytesPerSecond, this.options.reserveBytes);
    if (freeBytes < needed) {
      throw mediaError(
        'disk_full',
        `Not enough free disk space to record this session: ${Math.ceil(needed / 2 ** 20)} MB are needed and ${Math.floor(freeBytes / 2 ** 20)} MB are free on the disk holding ${this.options.recordingsDir}. Free some space, then start again.`,
        { freeBytes, neededBytes: needed, dir: this.options.recordingsDir },
      );
    }
    return this.serialized(`session:${request.sessionId}`, async () => {
      const existing = await this.ledger.activeRecordingForSession(request.sessionId);
      let recording: RecordingRow;
      let segment = 0;
      if (existing && !this.live.has(existing.id)) {
        // A crash (or power loss) stopped this session's recording and the session goes on: its
        // segments are cut back to what was acknowledged (a torn last chunk dropped) and it
        // continues in a new segment; the gap is recorded.
        const lastChunkAt = (await this.lastChunkAt(existing)) ?? existing.started_at;
        const { droppedChunks } = await this.verifySegments(existing, 'recovery');
        const resumedAt = new Date().toISOString();
        await this.ledger.addEvent(existing, 'recording_gap', {
          reason: 'crash',
          lastChunkAt,
          recoveredAt: resumedAt,
          gapMs: Date.parse(resumedAt) - Date.parse(lastChunkAt),
          droppedChunks,
          continued: true,
        });
      }
      if (existing) {
        // A new MediaRecorder for a session still recording (the renderer reloaded, or the app
        // restarted): a new segment of the same recording.
        recording = existing;
        const segments = await this.ledger.segments(existing.id);
        segment = segments.length === 0 ? 0 : Math.max(...segments.map((s) => s.segment)) + 1;
        await this.closeHandles(existing.id);
      } else {
        const id = `rec_${randomBytes(12).toString('base64url')}`;
        recording = {
          id,
          session_id: request.sessionId,
          dir: path.join(this.options.recordingsDir, id),
          mime_type: request.mimeType,
          upload_mode: request.uploadMode ?? 'full',
          mp4: request.mp4 ? 1 : 0,
          state: 'recording',
          started_at: new Date().toISOString(),
          ended_at: null,
          stop_reason: null,
          merged_path: null,
          merged_duration_s: null,
          error: null,
        };
        try {
          fs.mkdirSync(recording.dir, { recursive: true, mode: 0o700 });
        } catch (error) {
          throw fsError(error, 'the recording folder', recording.dir);
        }
        await this.ledger.createRecording(recording);
      }
      const file = path.join(recording.dir, segmentFileName(segment, recording.mime_type));
      try {
        const handle = await fs.promises.open(file, 'wx', 0o600);
        await handle.sync();
        this.liveState(recording.id, request.bitsPerSecond).handles.set(segment, handle);
        await syncDirectory(recording.dir);
      } catch (error) {
        throw fsError(error, 'the recording segment', file);
      }
      await this.ledger.addSegment({
        recording_id: recording.id,
        segment,
        file,
        durable_bytes: 0,
        chunks: 0,
        recorded_ms: 0,
        created_at: new Date().toISOString(),
        last_chunk_at: null,
      });
      this.options.logger?.info({ recordingId: recording.id, segment, file }, 'recording segment opened');
      return { recordingId: recording.id, segment, freeBytes, timesliceMs: this.timesliceMs };
    });
  }

  appendChunk(request: ChunkRequest): Promise<ChunkAck> {
    return this.serialized(request.recordingId, () => this.appendLocked(request));
  }

  private async appendLocked(request: ChunkRequest): Promise<ChunkAck> {
    const recording = await this.ledger.recording(request.recordingId);
    if (!recording) {
      throw mediaError('not_found', `There is no recording ${request.recordingId}.`, {
        recordingId: request.recordingId,
      });
    }
    const segment = await this.ledger.segment(recording.id, request.segment);
    if (!segment) {
      throw mediaError('not_found', `Recording ${recording.id} has no segment ${request.segment}.`, {
        recordingId: recording.id,
        segment: request.segment,
      });
    }
    const digest = sha256(request.bytes);
    if (request.seq < segment.chunks) {
      // A retry after a lost acknowledgement: the chunk is already durable.
      const known = await this.ledger.chunk(recording.id, request.segment, request.seq);
      if (known?.sha256 === digest) {
        return {
          segment: request.segment,
          seq: request.seq,
          durableBytes: segment.durable_bytes,
          freeBytes: -1,
          stop: null,
        };
      }
      throw mediaError(
        'out_of_order',
        `Chunk ${request.seq} of segment ${request.segment} was already stored with other content.`,
        {
          recordingId: recording.id,
          segment: request.segment,
          seq: request.seq,
        },
      );
    }
    if (recording.state !== 'recording') {
      throw mediaError(
        'not_recording',
        `Recording ${recording.id} is ${recording.state}; it takes no more chunks.`,
        {
          recordingId: recording.id,
          state: recording.state,
        },
      );
    }
    if (request.seq > segment.chunks) {
      throw mediaError('out_of_order', `Chunk ${request.seq} arrived before chunk ${segment.chunks}.`, {
        recordingId: recording.id,
        segment: request.segment,
        expectedSeq: segment.chunks,
        seq: request.seq,
      });
    }
    const state = this.liveState(recording.id);
    const handle = await this.handleFor(state, segment);
    try {
      await this.io.writeDurably(handle, request.bytes, segment.durable_bytes);
    } catch (error) {
      // Cut back whatever part of the chunk reached the file: what was acknowledged stays intact.
      await handle.truncate(segment.durable_bytes).catch(() => undefined);
      await handle.datasync().catch(() => undefined);
      const typed = fsError(error, 'the recording', segment.file);
      this.options.logger?.error({ err: error, recordingId: recording.id }, 'chunk write failed');
      throw typed;
    }
    const receivedAt = new Date().toISOString();
    await this.ledger.recordChunk({
      recording_id: recording.id,
      segment: request.segment,
      seq: request.seq,
      offset: segment.durable_bytes,
      size: request.bytes.length,
      sha256: digest,
      elapsed_ms: request.elapsedMs,
      received_at: receivedAt,
    });
    state.largestChunk = Math.max(state.largestChunk, request.bytes.length);
    state.recordedBytes = await this.recordedBytes(recording.id, state, request.bytes.length);
    const freeBytes = await this.io.freeBytes(recording.dir);
    const level = assessDisk({
      freeBytes,
      reserveBytes: this.options.reserveBytes,
      bytesPerSecond: state.bytesPerSecond,
      largestChunkBytes: state.largestChunk,
      recordedBytes: state.recordedBytes,
    });
    if (level === 'warning' && !state.warned) {
      state.warned = true;
      await this.diskLow(recording, freeBytes, 'warning');
    }
    if (level === 'stop' && !state.stopAsked) {
      state.stopAsked = true;
      await this.diskLow(recording, freeBytes, 'stop');
    }
    return {
      segment: request.segment,
      seq: request.seq,
      durableBytes: segment.durable_bytes + request.bytes.length,
      freeBytes,
      stop: state.stopAsked ? 'disk_low' : null,
    };
  }

  private async recordedBytes(recordingId: string, state: LiveRecording, added: number): Promise<number> {
    // Summed from the ledger once (e.g. after a restart mid-session), then kept up to date here.
    if (!state.recordedKnown) {
      state.recordedKnown = true;
      const segments = await this.ledger.segments(recordingId);
      return segments.reduce((sum, s) => sum + s.durable_bytes, 0);
    }
    return state.recordedBytes + added;
  }

  private async diskLow(
    recording: RecordingRow,
    freeBytes: number,
    level: 'warning' | 'stop',
  ): Promise<void> {
    const mb = Math.floor(freeBytes / 2 ** 20);
    const message =
      level === 'warning'
        ? `Disk space is running low (${mb} MB free): free some space or the recording will stop.`
        : `Disk space is nearly exhausted (${mb} MB free): recording stopped to keep what was recorded safe.`;
    await this.ledger.addEvent(recording, level === 'warning' ? 'disk_low_warning' : 'disk_low_stop', {
      freeBytes,
    });
    this.options.emit?.('mediaDiskLow', { recordingId: recording.id, freeBytes, level, message });
    this.options.logger?.warn({ recordingId: recording.id, freeBytes, level }, 'disk space low');
  }

  private async handleFor(state: LiveRecording, segment: SegmentRow): Promise<FileHandle> {
    let handle = state.handles.get(segment.segment);
    if (!handle) {
      try {
        handle = await fs.promises.open(segment.file, 'r+');
      } catch (error) {
        throw fsError(error, 'the recording segment', segment.file);
      }
      state.handles.set(segment.segment, handle);
    }
    return handle;
  }

  private async closeHandles(recordingId: string): Promise<void> {
    const state = this.live.get(recordingId);
    if (!state) return;
    for (const handle of state.handles.values()) await handle.close().catch(() => undefined);
    state.handles.clear();
  }

  /**
   * Ends a recording and merges it. The stop and the merge job commit together (ledger.ts
   * `stopAndQueueMerge`); the device's job runner merges, and this waits for that attempt. A failed
   * merge or check leaves the segments, marks the recording failed and throws; the job is retried.
   */
  async stop(recordingId: string, recordedMs: number, reason = 'finished'): Promise<MergedRecording> {
    const done = await this.serialized(recordingId, async () => {
      const recording = await this.ledger.recording(recordingId);
      if (!recording) throw mediaError('not_found', `There is no recording ${recordingId}.`, { recordingId });
      if (recording.state === 'merged' && recording.merged_path) return this.describeMerged(recording);
      await this.closeHandles(recordingId);
      this.live.delete(recordingId);
      const segments = await this.ledger.segments(recordingId);
      const last = segments.at(-1);
      if (last && recordedMs > 0)
        await this.ledger.setSegmentRecordedMs(recordingId, last.segment, recordedMs);
      await this.ledger.stopAndQueueMerge(recording, {
        ended_at: new Date().toISOString(),
        stop_reason: reason,
      });
      return undefined;
    });
    if (done) return done;
    // Outside the recording's lock: the job's handler takes it.
    const recording = (await this.ledger.recording(recordingId))!;
    return (await this.mergeNow(recording, false)).merged;
  }

  /** Runs the recording's merge job now (queued if it was not) and waits for its attempt. */
  private async mergeNow(recording: RecordingRow, recovery: boolean): Promise<MergeJobResult> {
    const jobId = this.ledger.queueMergeNow(recording, recovery);
    return (await this.options.jobs.outcome(jobId)) as unknown as MergeJobResult;
  }

  /** The merge job's handler: the recording as its state says (a crash left it, or it was stopped). */
  private runMergeJob(payload: JobPayloads['merge'], context: JobContext): Promise<JsonValue> {
    const { recordingId } = payload;
    return this.serialized(recordingId, async () => {
      const recording = await this.ledger.recording(recordingId);
      if (!recording) throw mediaError('not_found', `There is no recording ${recordingId}.`, { recordingId });
      if (
        (recording.state === 'merged' || recording.state === 'recovered') &&
        recording.merged_path &&
        fs.existsSync(recording.merged_path)
      )
        return { merged: await this.describeMerged(recording), droppedChunks: 0 };
      if (this.live.has(recordingId))
        throw mediaError('not_recording', `Recording ${recordingId} is still recording: stop it first.`, {
          recordingId,
        });
      // A recording a crash left (still `recording`), one asked to recover, or a merge a crash cut
      // short: merged tolerating a torn last chunk, and the gap recorded.
      const crashed = recording.state === 'recording';
      const recovery = crashed || payload.recovery === true || context.job.lastError?.code === 'INTERRUPTED';
      const lastChunkAt = recovery ? await this.lastChunkAt(recording) : undefined;
      const result = await this.merge(recording, recovery ? 'recovery' : 'normal', context.signal);
      if (recovery) {
        const recoveredAt = new Date().toISOString();
        const from = lastChunkAt ?? recording.started_at;
        await this.ledger.addEvent(recording, 'recording_gap', {
          reason: crashed ? 'crash' : 'merge_interrupted',
          lastChunkAt: from,
          recoveredAt,
          gapMs: Date.parse(recoveredAt) - Date.parse(from),
          recordedS: result.merged.recordedS,
          droppedChunks: result.droppedChunks,
        });
      }
      return result;
    });
  }

  private async lastChunkAt(recording: RecordingRow): Promise<string | undefined> {
    const segments = await this.ledger.segments(recording.id);
    return segments
      .map((s) => s.last_chunk_at)
      .filter((at): at is string => !!at)
      .sort()
      .at(-1);
  }

  private async describeMerged(recording: RecordingRow): Promise<MergedRecording> {
    const file = recording.merged_path as string;
    const probe = await probeMedia(this.options.binaries(), file);
    const segments = await this.ledger.segments(recording.id);
    return {
      recordingId: recording.id,
      path: file,
      format: recording.mp4 ? 'mp4' : 'webm',
      durationS: probe.durationS,
      recordedS: segments.reduce((sum, s) => sum + s.recorded_ms, 0) / 1000,
      sizeBytes: probe.sizeBytes,
      streams: probe.streams.map((s) => ({ type: s.type, codec: s.codec })),
    };
  }

  /**
   * Checks each segment's length against the ledger (checksums are verified during the merge). In recovery a segment
   * shorter than recorded loses its trailing chunks (a torn last chunk is tolerated); bytes past
   * the recorded length were never acknowledged and are cut off.
   */
  private async verifySegments(
    recording: RecordingRow,
    mode: 'normal' | 'recovery',
  ): Promise<{ segments: SegmentRow[]; droppedChunks: number }> {
    let droppedChunks = 0;
    const out: SegmentRow[] = [];
    for (const segment of await this.ledger.segments(recording.id)) {
      let size: number;
      try {
        size = fs.statSync(segment.file).size;
      } catch {
        throw mediaError(
          'segment_missing',
          `Segment file ${segment.file} is missing: the recording cannot be merged.`,
          {
            file: segment.file,
            recordingId: recording.id,
          },
        );
      }
      let current = segment;
      if (size < segment.durable_bytes) {
        const chunks = await this.ledger.chunks(recording.id, segment.segment);
        const firstLost = chunks.find((c) => c.offset + c.size > size);
        const lost = chunks.filter((c) => c.offset + c.size > size).length;
        if (mode === 'normal' || lost > 1 || !firstLost) {
          throw mediaError(
            'segment_truncated',
            `Segment file ${segment.file} is shorter than recorded (${size} of ${segment.durable_bytes} bytes): it was truncated after it was written. The segments are kept.`,
            {
              file: segment.file,
              sizeBytes: size,
              recordedBytes: segment.durable_bytes,
              recordingId: recording.id,
            },
          );
        }
        await this.ledger.dropChunksFrom(recording.id, segment.segment, firstLost.seq);
        droppedChunks += lost;
        current = (await this.ledger.segment(recording.id, segment.segment)) as SegmentRow;
      }
      if (size > current.durable_bytes) fs.truncateSync(segment.file, current.durable_bytes);
      if (current.durable_bytes > 0) out.push(current);
    }
    return { segments: out, droppedChunks };
  }

  private async verifyChunkHashes(recording: RecordingRow, segment: SegmentRow): Promise<void> {
    const chunks = await this.ledger.chunks(recording.id, segment.segment);
    const handle = await fs.promises.open(segment.file, 'r');
    try {
      let buffer = Buffer.alloc(0);
      for (const chunk of chunks) {
        if (buffer.length < chunk.size) buffer = Buffer.alloc(chunk.size);
        const view = buffer.subarray(0, chunk.size);
        const { bytesRead } = await handle.read(view, 0, chunk.size, chunk.offset);
        if (bytesRead !== chunk.size || sha256(view) !== chunk.sha256) {
          throw mediaError(
            'segment_corrupt',
            `Segment file ${segment.file} is corrupt at byte ${chunk.offset} (chunk ${chunk.seq} does not match its recorded checksum). The segments are kept; contact support with this folder.`,
            { file: segment.file, seq: chunk.seq, offset: chunk.offset, recordingId: recording.id },
          );
        }
      }
    } finally {
      await handle.close();
    }
  }

  private async merge(
    recording: RecordingRow,
    mode: 'normal' | 'recovery',
    signal?: AbortSignal,
  ): Promise<MergeJobResult> {
    try {
      const bins = this.options.binaries();
      const { segments, droppedChunks } = await this.verifySegments(recording, mode);
      if (segments.length === 0) {
        throw mediaError('segment_missing', `Recording ${recording.id} has no recorded data to merge.`, {
          recordingId: recording.id,
        });
      }
      const totalBytes = segments.reduce((sum, s) => sum + s.durable_bytes, 0);
      const freeBytes = await this.io.freeBytes(recording.dir);
      if (freeBytes < totalBytes * 1.05) {
        throw mediaError(
          'disk_full',
          `Not enough free disk space to merge the recording (${Math.ceil(totalBytes / 2 ** 20)} MB needed, ${Math.floor(freeBytes / 2 ** 20)} MB free). Its segments are kept: free some space and run \`vigil media recover\`.`,
          { freeBytes, neededBytes: Math.ceil(totalBytes * 1.05), dir: recording.dir },
        );
      }
      const format: MergeFormat = recording.mp4 ? 'mp4' : 'webm';
      const output = path.join(recording.dir, `recording.${format}`);
      const recordedMs = segments.reduce((sum, s) => sum + s.recorded_ms, 0);
      // Every chunk's sha256 is checked while ffmpeg runs (both read the same cached pages), so the
      // check costs no wall time on a multi-core machine; a mismatch aborts the merge.
      const abort = new AbortController();
      // The runner stopping (the app closes) kills ffmpeg; the job runs again at the next start.
      const stopped = () => abort.abort();
      signal?.addEventListener('abort', stopped, { once: true });
      const verifying = (async () => {
        for (const segment of segments) await this.verifyChunkHashes(recording, segment);
      })().catch((error: unknown) => {
        abort.abort();
        throw error;
      });
      const merging = mergeSegments({
        bins,
        inputs: segments.map((s) => s.file),
        output,
        format,
        expectedS: recordedMs / 1000,
        signal: abort.signal,
        ...(this.options.mp4Threads ? { threads: this.options.mp4Threads } : {}),
        onProgress: (percent) =>
          this.options.emit?.('mediaMergeProgress', { recordingId: recording.id, percent }),
      });
      try {
        await Promise.all([verifying, merging]);
      } catch (error) {
        // ffmpeg may have finished before a checksum failed: never leave that output behind.
        await merging.catch(() => undefined);
        fs.rmSync(output, { force: true });
        throw error;
      } finally {
        signal?.removeEventListener('abort', stopped);
      }
      const probe = await probeMedia(bins, output);
      const interrupted = mode === 'recovery' ? segments.length : segments.length - 1;
      try {
        checkMerged(probe, {
          expectedS: recordedMs / 1000,
          tolerance: 0.01,
          // 1 %, but at least a few frames for very short recordings (frame and Opus packet
          // granularity). A segment that ended without a stop (a crash, or a renderer reload before
          // the next segment) can have its last acknowledged clock up to one timeslice ahead.
          toleranceS: interrupted > 0 ? (interrupted * this.timesliceMs * 1.5) / 1000 : 0.2,
        });
      } catch (error) {
        fs.rmSync(output, { force: true });
        throw error;
      }
      await this.ledger.updateRecording(recording.id, {
        state: mode === 'recovery' ? 'recovered' : 'merged',
        merged_path: output,
        merged_duration_s: probe.durationS,
        error: null,
      });
      this.options.logger?.info(
        { recordingId: recording.id, output, durationS: probe.durationS, mode },
        'recording merged',
      );
      return {
        droppedChunks,
        merged: {
          recordingId: recording.id,
          path: output,
          format,
          durationS: probe.durationS,
          recordedS: recordedMs / 1000,
          sizeBytes: probe.sizeBytes,
          streams: probe.streams.map((s) => ({ type: s.type, codec: s.codec })),
        },
      };
    } catch (error) {
      // Cut short by the app closing: not a failure of the recording, which is merged at next start.
      if (signal?.aborted) throw error;
      await this.ledger.updateRecording(recording.id, {
        state: 'failed',
        error: `${mediaErrorReason(error) ?? 'error'}: ${(error as Error).message}`,
      });
      throw error;
    }
  }

  /** Merges again a recording that failed (e.g. after space was freed); segments are unchanged. */
  async retry(recordingId: string): Promise<MergedRecording> {
    const recording = await this.ledger.recording(recordingId);
    if (!recording) throw mediaError('not_found', `There is no recording ${recordingId}.`, { recordingId });
    return (await this.mergeNow(recording, false)).merged;
  }

  /**
   * At start-up (and `vigil media recover`): every recording a crash left in `recording` or
   * `stopped` is merged by its job, from its segments (tolerating a torn last chunk), marked
   * recovered, and the gap is recorded as an event.
   */
  async recoverUnfinished(): Promise<RecoveryOutcome[]> {
    const outcomes: RecoveryOutcome[] = [];
    for (const recording of await this.ledger.unfinishedRecordings()) {
      if (this.live.has(recording.id)) continue; // recording right now in this process
      try {
        const { merged, droppedChunks } = await this.mergeNow(recording, true);
        outcomes.push({
          recordingId: recording.id,
          sessionId: recording.session_id,
          ok: true,
          merged,
          droppedChunks,
        });
      } catch (error) {
        const typed = error as { code?: string; message: string };
        this.options.logger?.error({ err: error, recordingId: recording.id }, 'recovery failed');
        outcomes.push({
          recordingId: recording.id,
          sessionId: recording.session_id,
          ok: false,
          error: {
            code: typed.code ?? 'INTERNAL',
            message: typed.message,
            ...(mediaErrorReason(error) ? { reason: mediaErrorReason(error) } : {}),
          },
        });
      }
    }
    return outcomes;
  }

  async close(): Promise<void> {
    for (const id of [...this.live.keys()]) await this.closeHandles(id);
    this.live.clear();
  }
}
