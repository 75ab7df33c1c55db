// Applies the central migrations (bundled, see migrations/central/index.ts). Run as the owner role:
// it becomes a member of vigil_owner and owns the schema, tables and ingest functions.
import { Migrator, type Kysely } from 'kysely';
import { centralMigrations } from '../../migrations/central/index';
import { StaticMigrationProvider } from '../../migrations/provider';
import { VigilError } from '../errors';

export interface MigrationReport {
  applied: string[];
  current: string[];
}

export async function migrateCentral<DB>(db: Kysely<DB>): Promise<MigrationReport> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(centralMigrations),
    // Kept out of schema vigil so every table there is a data table under row-level security.
    migrationTableSchema: 'vigil_migrations',
    // Each engineer owns a number range, so a lower number (0006) can land after a higher one
    // (0100) was applied on an existing database; it must then run, not stop the migration.
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
