// `vigil doctor [--json]`: checks this machine for IT and support; exit 1 when something needs
// attention.
import { localPendingSync } from '../../doctor/local-pending-sync';
import type { Command } from 'commander';
import { appVersion } from '../../config/app-version';
import { loadConfig } from '../../config/load';
import { formatDoctorReport, runDoctor } from '../../doctor/run-doctor';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check versions, policy, model and binary files, ffmpeg, the local database, the central server and pending uploads (exit 1 if something needs attention).',
    )
    .option('--json', 'print the report as one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const loaded = loadConfig();
      const report = await runDoctor({
        loaded,
        appVersion: appVersion(),
        pendingSync: localPendingSync(loaded.dataDir),
      });
      process.stdout.write(opts.json ? JSON.stringify(report) + '\n' : formatDoctorReport(report));
      process.exitCode = report.exitCode;
    });
}
