// The app's one local store, opened on first use and shared by everything that needs it (the
// candidate session, the media ledger, the local purge): one connection for writes, one migration
// run, and the store's one job runner (job-runner.ts) for the work the device queues (merge,
// uploads, transcription, evaluation, report, local purge). A failed open is not cached, so the
// next call tries again (e.g. after the disk is back).
import { JobRunner, type JobRunnerOptions } from './job-runner';
import { openLocalStore, type LocalStore } from './local-store';

export interface LazyLocalStore {
  get: () => Promise<LocalStore>;
  /**
   * The store's one job runner, started on first use. Each domain registers its kinds when it
   * opens; the runner only picks jobs of registered kinds, so work of a domain not opened yet waits.
   */
  jobs: () => Promise<JobRunner>;
  /** Stops the runner (running handlers are aborted and re-queued), before their services close. */
  stopJobs: () => Promise<void>;
  /** Stops the runner, then closes the store. */
  close: () => Promise<void>;
}

export function lazyLocalStore(
  file: string,
  options: Pick<JobRunnerOptions, 'onError'> = {},
): LazyLocalStore {
  let opening: Promise<LocalStore> | undefined;
  let runner: Promise<JobRunner> | undefined;
  const get = () => {
    opening ??= openLocalStore(file).catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
  const stopJobs = async () => {
    const pending = runner;
    runner = undefined;
    if (pending) await (await pending.catch(() => undefined))?.stop();
  };
  return {
    get,
    jobs: () => {
      runner ??= get().then(
        (store) => {
          const started = new JobRunner({ store, ...options });
          started.start();
          return started;
        },
        (error: unknown) => {
          runner = undefined;
          throw error;
        },
      );
      return runner;
    },
    stopJobs,
    close: async () => {
      await stopJobs();
      const pending = opening;
      opening = undefined;
      if (pending) await (await pending.catch(() => undefined))?.close();
    },
  };
}
