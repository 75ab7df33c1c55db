// `vigil migrate --central URL`: applies the bundled central migrations as the owner role in the URL
// (or to the embedded PGlite store in the data folder when no URL is given).
import { sslModeOption } from '../ssl-option';
import path from 'node:path';
import type { Command } from 'commander';
import { openCentral, type SslMode } from '../../central/connect';
import { migrateCentral } from '../../central/migrate';
import { loadConfig } from '../../config/load';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'Apply the central PostgreSQL migrations (schema vigil, roles, row-level security, ingest functions).',
    )
    .option(
      '--central <url>',
      'postgres:// URL of the owner role; default: central.url, else embedded PGlite',
    )
    .addOption(sslModeOption())
    .option('--ca-file <file>', 'CA certificate for verify-ca / verify-full')
    .action(async (opts: { central?: string; sslMode?: SslMode; caFile?: string }) => {
      const loaded = loadConfig();
      const url = opts.central ?? loaded.config.central.url;
      const central = await openCentral({
        url,
        ...(opts.sslMode ? { sslMode: opts.sslMode } : {}),
        defaultSslMode: loaded.config.central.sslMode,
        caFile: opts.caFile ?? loaded.config.central.caFile,
        embeddedDir: path.join(loaded.dataDir, 'central'),
      });
      try {
        const report = await migrateCentral(central.db);
        const where = url ? new URL(url).host : `embedded PGlite in ${path.join(loaded.dataDir, 'central')}`;
        process.stdout.write(
          report.applied.length > 0
            ? `applied ${report.applied.length} migration(s) on ${where}: ${report.applied.join(', ')}\n`
            : `${where} is up to date (${report.current.length} migrations)\n`,
        );
      } finally {
        await central.close();
      }
    });
}
