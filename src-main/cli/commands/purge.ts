// `vigil purge --local [--dry-run]`: retention on this device. Removes the local rows and files of
// sessions past their exam's retention that are fully synced, keeps the others (saying why) and
// writes a receipt to the data folder. The central store's purge is `vigil admin purge`.
import fs from 'node:fs';
import type { Command } from 'commander';
import { purgeLocal } from '../../admin/local-purge';
import { loadConfig } from '../../config/load';
import { VigilError } from '../../errors';
import { openLocalStore } from '../../store/local-store';
import { localDbPath } from '../../store/db-file';

interface PurgeOptions {
  local?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function registerPurgeCommand(program: Command): void {
  program
    .command('purge')
    .description(
      "Delete this device's sessions past their exam's retention once they are synced (central: vigil admin purge).",
    )
    .option('--local', "purge this device's local store (the only scope of this command)")
    .option('--dry-run', 'list what would be deleted and what is kept, delete nothing')
    .option('--json', 'print the receipt as JSON')
    .action(async (opts: PurgeOptions) => {
      if (!opts.local)
        throw new VigilError(
          'BAD_REQUEST',
          "Say what to purge: --local for this device's store; the central store's purge is `vigil admin purge`.",
        );
      const loaded = loadConfig();
      const file = localDbPath(loaded.dataDir);
      if (!fs.existsSync(file)) {
        process.stdout.write(
          opts.json
            ? '{"purged":[],"kept":[]}\n'
            : `nothing recorded on this device (${file} does not exist)\n`,
        );
        return;
      }
      const store = await openLocalStore(file);
      try {
        const { receipt, receiptFile } = purgeLocal({
          store,
          dataDir: loaded.dataDir,
          dryRun: Boolean(opts.dryRun),
        });
        if (opts.json) {
          process.stdout.write(JSON.stringify({ ...receipt, receiptFile: receiptFile ?? null }) + '\n');
          return;
        }
        const verb = receipt.dryRun ? 'would delete' : 'deleted';
        const rowTotal = Object.entries(receipt.rows)
          .filter(([table]) => table !== 'token_usage_detached')
          .reduce((sum, [, n]) => sum + n, 0);
        const bytes = receipt.files.reduce((sum, f) => sum + f.bytes, 0);
        process.stdout.write(
          [
            `${verb} ${receipt.purged.length} session(s): ${rowTotal} row(s), ${receipt.files.length} file(s), ${bytes} bytes`,
            ...receipt.purged.map((p) => `  ${p.id} (exam ${p.examId}, expired ${p.expiredAt})`),
            `kept ${receipt.kept.length} expired session(s) not yet synced:`,
            ...receipt.kept.map((k) => `  ${k.id}: ${k.reasons.map((r) => r.detail).join('; ')}`),
            `${receipt.withinRetention} session(s) still within retention`,
            ...(receiptFile ? [`receipt: ${receiptFile}`] : []),
          ].join('\n') + '\n',
        );
      } finally {
        await store.close();
      }
    });
}
