// Applies the central migrations (bundled, see migrations/central/index.ts). Run as the owner role:
// it becomes a member of vigil_owner and owns the schema, tables and ingest functions.
import { Migrator, type Kysely, type Migration } from 'kysely';
import { centralMigrations } from '../../migrations/central/index';
import { StaticMigrationProvider } from '../../migrations/provider';
import { VigilError } from '../errors';

export interface MigrationReport {
  applied: string[];
  current: string[];
}

export async function migrateCentral<DB>(
  db: Kysely<DB>,
  migrations: Record<string, Migration> = centralMigrations,
): Promise<MigrationReport> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(migrations),
    // Kept out of schema vigil so every table there is a data table under row-level security.
    migrationTableSchema: 'vigil_migrations',
    // Each capability numbers its migrations in its own range (0001–0099 data, 0100 review, 0200
    // lockdown…), so an upgrade can bring a new 0006 to a server that already ran 0200.
    allowUnorderedMigrations: true,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new VigilError(
      'INTERNAL',
      `Central migration ${failed} failed: ${(error as Error).message}`,
      { migration: failed },
      { cause: error },
    );
  }
  const all = await migrator.getMigrations();
  return {
    applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName),
    current: all.filter((m) => m.executedAt).map((m) => m.name),
  };
}
