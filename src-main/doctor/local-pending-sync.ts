// What `vigil doctor` reports as waiting to be sent: read-only from the data folder's local database
// (nothing pending when the device has never recorded anything).
import fs from 'node:fs';
import { localDbPath } from '../store/db-file';
import { openLocalStore } from '../store/local-store';
import type { PendingSyncSource } from './types';

export function localPendingSync(dataDir: string): PendingSyncSource {
  return {
    pendingSync: async () => {
      const file = localDbPath(dataDir);
      if (!fs.existsSync(file)) return { outboxItems: 0, blobBytes: 0, oldestQueuedAt: null };
      const store = await openLocalStore(file, { readonly: true });
      const db = store.raw;
      const hasOutbox = db
        .prepare(
          `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('outbox', 'blob_uploads')`,
        )
        .get() as { n: number };
      // A database this device has not used for sessions yet has no queue at all.
      if (hasOutbox.n < 2) {
        await store.close();
        return { outboxItems: 0, blobBytes: 0, oldestQueuedAt: null };
      }
      try {
        const outbox = db
          .prepare(`SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE status = 'pending'`)
          .get() as { n: number; oldest: string | null };
        const blobs = db
          .prepare(
            `SELECT coalesce(sum(size - uploaded_bytes), 0) AS bytes FROM blob_uploads WHERE status = 'pending'`,
          )
          .get() as { bytes: number };
        return { outboxItems: outbox.n, blobBytes: blobs.bytes, oldestQueuedAt: outbox.oldest };
      } finally {
        await store.close();
      }
    },
  };
}
