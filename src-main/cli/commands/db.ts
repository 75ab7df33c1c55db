// `vigil db check`: SQLite's integrity_check, every session's hash chain, and pending sync counts.
// Exits 1 when the database or a chain is damaged.
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { checkDatabase } from '../../store/check';
import { openLocalStore } from '../../store/local-store';
import { localDbPath } from '../../store/db-file';

export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('The local database on this device.');
  db.command('check')
    .description('Integrity check, event-chain verification and pending sync counts (exit 1 if damaged).')
    .option('--json', 'print one JSON object')
    .option('--file <path>', 'database file (default: vigil.db in the data folder)')
    .action(async (opts: { json?: boolean; file?: string }) => {
      const file = opts.file ?? localDbPath(loadConfig().dataDir);
      if (!fs.existsSync(file)) {
        process.stdout.write(`no local database at ${file}\n`);
        return;
      }
      const store = await openLocalStore(file);
      try {
        const check = checkDatabase(store);
        if (opts.json) process.stdout.write(JSON.stringify(check) + '\n');
        else {
          const broken = check.chains.filter((c) => !c.ok);
          process.stdout.write(
            [
              `integrity_check: ${check.integrity.join('; ')}`,
              `event chains: ${check.chains.length - broken.length}/${check.chains.length} intact`,
              ...broken.map((c) => `  session ${c.sessionId}: broken at event ${c.brokenAt} (${c.problem})`),
              `pending: ${check.outbox.pendingItems} item(s), ${check.outbox.pendingBytes} bytes; ${check.blobs.pendingBlobs} file(s)`,
              `refused: ${check.outbox.rejectedItems} item(s), ${check.blobs.rejectedBlobs} file(s)`,
            ].join('\n') + '\n',
          );
        }
        if (!check.ok) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
