// `vigil sync status`: what is still waiting on this device, what the server refused and why, and
// when the last sync succeeded or failed. Reads the local database only.
// `vigil sync retry`: after an administrator raised the exam's storage quota, queues the files the
// server refused for it again (the running app, or its next start, sends them).
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { openLocalStore } from '../../store/local-store';
import { localDbPath } from '../../store/db-file';
import { retryQuotaRefusedBlobs } from '../../sync/blob-uploader';
import { readSyncStatus } from '../../sync/uploader';

export function registerSyncCommand(program: Command): void {
  const sync = program
    .command('sync')
    .description('Offline-first sync of this device with the central server.');
  sync
    .command('status')
    .description('Pending items and bytes, refused items with their reasons, last success and last error.')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const file = localDbPath(loadConfig().dataDir);
      if (!fs.existsSync(file)) {
        process.stdout.write(
          opts.json ? '{"state":"not_enrolled"}\n' : `nothing recorded yet (${file} does not exist)\n`,
        );
        return;
      }
      const store = await openLocalStore(file);
      try {
        const status = readSyncStatus(store);
        if (opts.json) {
          process.stdout.write(JSON.stringify(status) + '\n');
          return;
        }
        process.stdout.write(
          [
            `pending: ${status.pendingItems} item(s), ${status.pendingBytes} bytes; ${status.pendingBlobs} file(s), ${status.pendingBlobBytes} bytes`,
            `refused by the server: ${status.rejectedItems} item(s), ${status.rejectedBlobs} file(s)`,
            ...status.rejected.map((r) => `  ${r.kind} ${r.key}: ${r.reason}`),
            ...status.held.map(
              (h) =>
                `held (enrollment ${h.deviceId ?? 'none'}): ${h.items} item(s), ${h.blobs} file(s): ${h.reason}`,
            ),
            `last success: ${status.lastSuccessAt ?? 'never'}`,
            `last error: ${status.lastError ?? 'none'}`,
          ].join('\n') + '\n',
        );
      } finally {
        await store.close();
      }
    });
  sync
    .command('retry')
    .description(
      "Queue again the files the server refused for the exam's storage quota (after an administrator raised it).",
    )
    .action(async () => {
      const file = localDbPath(loadConfig().dataDir);
      if (!fs.existsSync(file)) {
        process.stdout.write(`nothing recorded yet (${file} does not exist)\n`);
        return;
      }
      const store = await openLocalStore(file);
      try {
        const queued = retryQuotaRefusedBlobs(store);
        process.stdout.write(
          `queued again: ${queued} file(s) refused for the storage quota; they go up at the next sync\n`,
        );
      } finally {
        await store.close();
      }
    });
}
