// Wires the media service for the app: the ledger on the app's one local store, the merge jobs on
// its job runner, the recordings folder, the ffmpeg binaries from config, and contract events. Opened on first use and closed with
// the app; the store belongs to its opener (the app, or the CLI), which closes it.
import fs from 'node:fs';
import path from 'node:path';
import type { EventName, EventPayload } from '../../src-preload/contract';
import { localDbPath } from '../store/db-file';
import type { JobRunner } from '../store/job-runner';
import type { LocalStore } from '../store/local-store';
import type { VigilConfig } from '../config/schema';
import type { Logger } from '../log/logger';
import { resolveMediaBinaries } from './binaries';
import { MediaLedger } from './ledger';
import { fsError } from './media-error';
import { MediaService, type RecoveryOutcome } from './media-service';
import { createMediaUploadSource, type MediaUploadSource } from './upload-artifacts';

export interface MediaRuntime {
  service(): Promise<MediaService>;
  uploads(): Promise<MediaUploadSource>;
  recover(): Promise<RecoveryOutcome[]>;
  close(): Promise<void>;
}

export function recordingsDirFor(dataDir: string): string {
  return path.join(dataDir, 'recordings');
}

/** The ledger lives in the data folder's one local database. */
export function ledgerFileFor(dataDir: string): string {
  return localDbPath(dataDir);
}

export function createMediaRuntime(options: {
  dataDir: string;
  /** The app's one local store (opened on first use by its owner). */
  store: () => Promise<LocalStore>;
  /** That store's job runner (lazy-store.ts): merges are its jobs. */
  jobs: () => Promise<JobRunner>;
  config: VigilConfig['media'];
  logger?: Logger;
  emit?: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
}): MediaRuntime {
  let opened: Promise<{ service: MediaService; ledger: MediaLedger }> | undefined;
  const binaries = () => resolveMediaBinaries(options.config);
  const open = () => {
    opened ??= (async () => {
      try {
        fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      } catch (error) {
        throw fsError(error, 'the data folder', options.dataDir);
      }
      const ledger = new MediaLedger(await options.store());
      const service = new MediaService({
        ledger,
        recordingsDir: recordingsDirFor(options.dataDir),
        binaries,
        jobs: await options.jobs(),
        reserveBytes: options.config.reserveMb * 2 ** 20,
        ...(options.logger ? { logger: options.logger } : {}),
        ...(options.emit ? { emit: options.emit } : {}),
      });
      return { service, ledger };
    })();
    // A failed open is retried on the next call rather than cached.
    opened.catch(() => (opened = undefined));
    return opened;
  };
  return {
    service: async () => (await open()).service,
    uploads: async () => createMediaUploadSource({ ledger: (await open()).ledger, binaries }),
    recover: async () => (await open()).service.recoverUnfinished(),
    close: async () => {
      if (!opened) return;
      const { service } = await opened;
      await service.close();
      opened = undefined;
    },
  };
}
