// Runs the device's retention purge once at app start, a little after start so the first screen is
// not slowed. A device that never recorded anything has no local database: then nothing is opened.
// Failures are logged, never thrown: retention must not stop an exam from starting.
import fs from 'node:fs';
import type { LocalStore } from '../store/local-store';
import { localDbPath } from '../store/db-file';
import { purgeLocal, type LocalPurgeResult } from './local-purge';

export interface PurgeAtStartLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface PurgeAtStartOptions {
  dataDir: string;
  /** The app's local store (opened on first use). */
  store: () => Promise<LocalStore>;
  logger: PurgeAtStartLogger;
  delayMs?: number;
  now?: () => Date;
}

export interface ScheduledPurge {
  /** Settles when the run is over (undefined when skipped, cancelled or failed). */
  done: Promise<LocalPurgeResult | undefined>;
  cancel(): void;
}

export function scheduleLocalPurge(options: PurgeAtStartOptions): ScheduledPurge {
  let cancelled = false;
  let timer: NodeJS.Timeout | undefined;
  let settle: (result: LocalPurgeResult | undefined) => void = () => undefined;
  const done = new Promise<LocalPurgeResult | undefined>((resolve) => (settle = resolve));
  const run = async (): Promise<LocalPurgeResult | undefined> => {
    if (cancelled || !fs.existsSync(localDbPath(options.dataDir))) return undefined;
    const store = await options.store();
    if (cancelled) return undefined;
    const result = purgeLocal({
      store,
      dataDir: options.dataDir,
      dryRun: false,
      ...(options.now ? { now: options.now } : {}),
    });
    const { receipt } = result;
    options.logger.info(
      {
        purged: receipt.purged.length,
        kept: receipt.kept.map((k) => ({ id: k.id, reasons: k.reasons.map((r) => r.code) })),
        files: receipt.files.length,
        receipt: result.receiptFile,
      },
      'local retention purge',
    );
    return result;
  };
  timer = setTimeout(() => {
    timer = undefined;
    run()
      .catch((error: unknown) => {
        options.logger.warn({ err: error }, 'local retention purge failed');
        return undefined;
      })
      .then(settle, () => settle(undefined));
  }, options.delayMs ?? 20_000);
  timer.unref();
  return {
    done,
    cancel: () => {
      cancelled = true;
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
        settle(undefined);
      }
    },
  };
}
