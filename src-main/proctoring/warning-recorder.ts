// The one place a session's warnings are stored: the warning row, its snapshot file and the chain
// event go in one local transaction (the file is written and fsync'd first, so no row can point at
// a missing image). Engine warnings, lockdown violations and anything later added come through here.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '../log/logger';
import type { LocalStore } from '../store/local-store';
import { addSnapshot, recordWarning } from '../store/sessions';
import { writeEvidenceFile } from './evidence-file';
import type { Severity } from './types';

export interface WarningRecord {
  /**
   * Stable between a warning's start and its end (the engine's warning id), so the end updates the
   * same row. Omitted for a warning that arrives complete (lockdown violations).
   */
  key?: string;
  type: string;
  severity: Severity;
  startedAt: string;
  endedAt: string | null;
  confidence: number | null;
  details: Record<string, unknown>;
  /**
   * Evidence image: the captured JPEG of the frame that raised the warning, or `latest_frame` for a
   * warning without a frame of its own (audio, lockdown, focus): the camera frame seen at the
   * warning's start, when the camera was on then.
   */
  snapshot?: Uint8Array | 'latest_frame';
}

export interface WarningRecorderOptions {
  store: LocalStore;
  sessionId: string;
  /** Snapshots go to `<snapshotsDir>/<sessionId>/<warningId>.jpg`. */
  snapshotsDir: string;
  logger: Logger;
}

/** Frames kept for warnings without one of their own: one a second, for five minutes. */
const FRAME_SPACING_MS = 1000;
const FRAME_HISTORY_MS = 5 * 60_000;
/** A frame this far from the warning's start does not show that moment (the camera was off). */
const FRAME_MAX_GAP_MS = 10_000;

export class WarningRecorder {
  private readonly ids = new Map<string, string>();
  /** Recent camera JPEGs, oldest first. Lockdown warnings arrive when they end (a focus loss is
   * reported on return), so the frame of their start has to be looked up, not just the latest. */
  private readonly frames: { atMs: number; jpeg: Uint8Array }[] = [];

  constructor(private readonly options: WarningRecorderOptions) {}

  /** Remembers the camera's captured JPEGs for warnings that have no frame of their own. */
  noteFrame(jpeg: Uint8Array, atMs = Date.now()): void {
    // Kept frames are a second apart, except the newest, which is always the latest seen.
    const previous = this.frames.at(-2);
    if (previous && atMs - previous.atMs < FRAME_SPACING_MS) this.frames.pop();
    this.frames.push({ atMs, jpeg });
    while (this.frames.length > 0 && atMs - this.frames[0]!.atMs > FRAME_HISTORY_MS) this.frames.shift();
  }

  /** The camera frame at a moment: the last one at or before it, else the first one after it. */
  private frameAt(iso: string): Uint8Array | null {
    const at = Date.parse(iso);
    if (Number.isNaN(at)) return this.frames.at(-1)?.jpeg ?? null;
    let before: { atMs: number; jpeg: Uint8Array } | undefined;
    let after: { atMs: number; jpeg: Uint8Array } | undefined;
    for (const frame of this.frames) {
      if (frame.atMs <= at) before = frame;
      else {
        after = frame;
        break;
      }
    }
    if (before && at - before.atMs <= FRAME_MAX_GAP_MS) return before.jpeg;
    if (after && after.atMs - at <= FRAME_MAX_GAP_MS) return after.jpeg;
    return null;
  }

  /**
   * Stores a warning (or its end) with its snapshot and chain event. Returns the warning id, or
   * undefined when it could not be stored: a full disk must not stop the proctoring of the session.
   */
  record(input: WarningRecord): string | undefined {
    const { store, sessionId, logger } = this.options;
    const id = this.idFor(input.key);
    const jpeg = input.snapshot === 'latest_frame' ? this.frameAt(input.startedAt) : input.snapshot;
    try {
      const file = jpeg
        ? writeEvidenceFile(path.join(this.options.snapshotsDir, sessionId), `${id}.jpg`, jpeg)
        : undefined;
      store.write('warning', (tx) => {
        recordWarning(tx, {
          id,
          sessionId,
          type: input.type,
          severity: input.severity,
          startedAt: input.startedAt,
          endedAt: input.endedAt,
          confidence: input.confidence,
          details: input.details,
        });
        if (file) {
          addSnapshot(tx, {
            sessionId,
            warningId: id,
            path: file.path,
            sha256: file.sha256,
            bytes: file.bytes,
          });
        }
      });
      return id;
    } catch (error) {
      logger.error({ err: error, sessionId, type: input.type }, 'could not store a warning');
      return undefined;
    }
  }

  private idFor(key: string | undefined): string {
    if (key === undefined) return randomUUID();
    let id = this.ids.get(key);
    if (!id) {
      id = randomUUID();
      this.ids.set(key, id);
    }
    return id;
  }
}
