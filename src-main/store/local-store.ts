// The local SQLite store: better-sqlite3 in WAL mode with synchronous=FULL, so a transaction that
// returned is on disk. Writes are synchronous transactions (`write(tx => …)`): a domain row and its
// outbox row commit together or not at all. Kysely builds the typed SQL; better-sqlite3 runs it.
// This is the only module that opens the database file (tests/unit/store/one-opener.test.ts):
// every repository (sessions, events, warnings, media ledger, interview, evaluation, token usage,
// outbox) takes the store or the Tx of one of its transactions.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, SqliteDialect, type Compilable, type Migration } from 'kysely';
import { localMigrations } from '../../migrations/local/index';
import { StaticMigrationProvider } from '../../migrations/provider';
import { VigilError } from '../errors';
import { storeError } from './errors';
import { sqliteBinding } from './native-binding';
import type { LocalDatabase } from './schema';

export interface Tx {
  /** Typed query builder (compile only); run its queries with run/all/first. */
  q: Kysely<LocalDatabase>;
  run(query: Compilable): { changes: number };
  all<R>(query: Compilable<R>): R[];
  first<R>(query: Compilable<R>): R | undefined;
  /** Raw SQL for what kysely cannot express. */
  raw: Database.Database;
}

export interface LocalStore extends Tx {
  file: string;
  /** One IMMEDIATE transaction; returns what fn returns once committed (fsync'd). */
  write<T>(action: string, fn: (tx: Tx) => T): T;
  /** Kysely with an async driver, for migrations and tooling. */
  kysely: Kysely<LocalDatabase>;
  close(): Promise<void>;
}

export interface LocalStoreOptions {
  /** How long to wait for another connection's write lock before STORAGE_BUSY. */
  busyTimeoutMs?: number;
  /** Skip migrations (a second connection to an already migrated file). */
  migrate?: boolean;
  /** Read-only connection (diagnostics): no pragmas that write, no migrations. */
  readonly?: boolean;
}

function makeTx(db: Database.Database, q: Kysely<LocalDatabase>): Tx {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sqlText: string) => {
    let statement = statements.get(sqlText);
    if (!statement) {
      statement = db.prepare(sqlText);
      statements.set(sqlText, statement);
    }
    return statement;
  };
  const params = (query: Compilable) => {
    const compiled = query.compile();
    return { statement: prepare(compiled.sql), parameters: compiled.parameters as unknown[] };
  };
  return {
    q,
    raw: db,
    run: (query) => {
      const { statement, parameters } = params(query);
      return { changes: statement.run(...parameters).changes };
    },
    all: <R>(query: Compilable<R>) => {
      const { statement, parameters } = params(query);
      return statement.all(...parameters) as R[];
    },
    first: <R>(query: Compilable<R>) => {
      const { statement, parameters } = params(query);
      return statement.get(...parameters) as R | undefined;
    },
  };
}

export async function migrateLocal(
  kysely: Kysely<LocalDatabase>,
  migrations: Record<string, Migration> = localMigrations,
): Promise<string[]> {
  const migrator = new Migrator({
    db: kysely,
    provider: new StaticMigrationProvider(migrations),
    // Each capability numbers its migrations in its own range (0001 store, 0100 media, 0200
    // interview…), so an app update can bring a new 0004 to a device that already ran 0300.
    allowUnorderedMigrations: true,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw storeError(error, `local migration ${failed}`);
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function openLocalStore(file: string, options: LocalStoreOptions = {}): Promise<LocalStore> {
  let db: Database.Database;
  try {
    if (!options.readonly && file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    const nativeBinding = sqliteBinding();
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
      ...(nativeBinding ? { nativeBinding } : {}),
    });
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // FULL: WAL commits are fsync'd, so an acknowledged write survives power loss and kill -9.
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  } catch (error) {
    throw storeError(error, `opening ${file}`);
  }
  const kysely = new Kysely<LocalDatabase>({ dialect: new SqliteDialect({ database: db }) });
  if (options.migrate !== false && !options.readonly) await migrateLocal(kysely);
  const tx = makeTx(db, kysely);
  let closed = false;
  return {
    ...tx,
    file,
    kysely,
    write<T>(action: string, fn: (tx: Tx) => T): T {
      if (closed) throw new VigilError('NOT_READY', `The local store is closed; ${action} was not saved.`);
      try {
        return db.transaction(() => fn(tx)).immediate();
      } catch (error) {
        throw storeError(error, action);
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      // kysely's destroy closes the better-sqlite3 handle.
      await kysely.destroy();
    },
  };
}
