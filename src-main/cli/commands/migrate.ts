// `vigil migrate --central URL`: applies the bundled central migrations as the owner role in the URL
// (or to the embedded PGlite store in the data folder when no URL is given).
import { sslModeOption } from '../ssl-option';
import path from 'node:path';
import type { Command } from 'commander';
import { openCentral, type SslMode } from '../../central/connect';
import { migrateCentral } from '../../central/migrate';
import { assertSurfaceClosed, hardenPublicSurface, surfaceFixSql } from '../../central/public-surface';
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
    .option(
      '--surface-only',
      'apply no migration, only close the PUBLIC surface (for a superuser URL: objects stay owned by the owner role)',
    )
    .option(
      '--require-closed-surface',
      'fail (exit 1) while PUBLIC can still signal backends, use large objects, temporary tables… (run once as a superuser to close it)',
    )
    .action(
      async (opts: {
        central?: string;
        sslMode?: SslMode;
        caFile?: string;
        requireClosedSurface?: boolean;
        surfaceOnly?: boolean;
      }) => {
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
          // A superuser must not apply migrations: every object and definer function would be its.
          if (!opts.surfaceOnly) {
            const report = await migrateCentral(central.db);
            const where = url
              ? new URL(url).host
              : `embedded PGlite in ${path.join(loaded.dataDir, 'central')}`;
            process.stdout.write(
              report.applied.length > 0
                ? `applied ${report.applied.length} migration(s) on ${where}: ${report.applied.join(', ')}\n`
                : `${where} is up to date (${report.current.length} migrations)\n`,
            );
          }
          // PGlite is one process with one user: there is no PUBLIC surface to close.
          if (central.kind === 'postgres') {
            const surface = await hardenPublicSurface(central.query);
            if (surface.applied.length > 0)
              process.stdout.write(`closed the PUBLIC surface: ${surface.applied.length} statement(s)\n`);
            const database = new URL(url ?? 'postgres://x/').pathname.slice(1) || 'the central database';
            if (opts.requireClosedSurface) assertSurfaceClosed(surface, database);
            if (surface.open.length > 0)
              process.stdout.write(
                `warning: every login (devices included) can still do ${surface.open.length} thing(s) Vigil closes ` +
                  `(signal other backends, large objects, advisory locks, temporary tables…). Run as a superuser ` +
                  `on ${database} (or run \`vigil migrate --surface-only\` with a superuser URL):\n` +
                  `${surfaceFixSql(surface.open)}\n`,
              );
          }
        } finally {
          await central.close();
        }
      },
    );
}
