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
   * warning without a frame of its own (the last camera JPEG seen, when there is one).
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

export class WarningRecorder {
  private readonly ids = new Map<string, string>();
  private latestFrame: Uint8Array | null = null;

  constructor(private readonly options: WarningRecorderOptions) {}

  /** Remembers the camera's latest captured JPEG for warnings that have no frame of their own. */
  noteFrame(jpeg: Uint8Array): void {
    this.latestFrame = jpeg;
  }

  /**
   * Stores a warning (or its end) with its snapshot and chain event. Returns the warning id, or
   * undefined when it could not be stored: a full disk must not stop the proctoring of the session.
   */
  record(input: WarningRecord): string | undefined {
    const { store, sessionId, logger } = this.options;
    const id = this.idFor(input.key);
    const jpeg = input.snapshot === 'latest_frame' ? this.latestFrame : input.snapshot;
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
