// Opens the local SQLite database for the interview and evaluation repositories and applies the
// bundled migrations. Stop-gap until the store module (issue 3) owns the connection: repositories
// take the better-sqlite3 handle, so they can later run inside the store's outbox transactions.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import { localMigrations } from '../../migrations/local/index';
import { VigilError } from '../errors';
import { localDbPath } from '../store/db-file';

export type SqliteHandle = Database.Database;

export interface LocalDatabase {
  sqlite: SqliteHandle;
  kysely: Kysely<unknown>;
  close(): Promise<void>;
}

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/** File name of the local database inside the data folder. */
export function localDatabaseFile(dataDir: string): string {
  // One local database per data folder: the store, the media ledger and the interview share it.
  return localDbPath(dataDir);
}

export async function openLocalDatabase(file: string): Promise<LocalDatabase> {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({
    db: kysely,
    provider: new StaticMigrationProvider(localMigrations),
    // Other modules' migrations may land between ours once branches merge.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await kysely.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new VigilError(
      'UNAVAILABLE',
      `The local database at ${file} could not be prepared (migration ${failed ?? 'unknown'} failed).`,
      { file, migration: failed },
      { cause: error },
    );
  }
  return {
    sqlite,
    kysely,
    // Kysely's destroy closes the underlying better-sqlite3 handle.
    close: () => kysely.destroy(),
  };
}
