// The app's one local store, opened on first use and shared by everything that needs it (the
// candidate session, the media ledger, the local purge): one connection for writes, one migration
// run. A failed open is not cached, so the next call tries again (e.g. after the disk is back).
import { openLocalStore, type LocalStore } from './local-store';

export interface LazyLocalStore {
  get: () => Promise<LocalStore>;
  close: () => Promise<void>;
}

export function lazyLocalStore(file: string): LazyLocalStore {
  let opening: Promise<LocalStore> | undefined;
  return {
    get: () => {
      opening ??= openLocalStore(file).catch((error: unknown) => {
        opening = undefined;
        throw error;
      });
      return opening;
    },
    close: async () => {
      const pending = opening;
      opening = undefined;
      if (pending) await (await pending.catch(() => undefined))?.close();
    },
  };
}
