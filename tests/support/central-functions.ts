// The central functions as the migrated database has them, and the reviewed copies of them in
// schema/central/functions/ (one file per function, exactly what pg_get_functiondef prints).
// Shared by tests/integration/central/function-definitions.test.ts, which compares the two, and
// scripts/dump-central-functions.mjs, which rewrites the files. Migrations never read these files:
// each migration carries its own SQL, frozen once released.
import fs from 'node:fs';
import path from 'node:path';
import type { SqlQuery } from '../../src-main/central/connect';
import { openPostgres } from '../../src-main/central/connect';
import { migrateCentral } from '../../src-main/central/migrate';
import { startPostgres } from './postgres';

export const FUNCTIONS_DIR = path.resolve(import.meta.dirname, '../../schema/central/functions');

/** `<schema>.<name>` → definition; overloads of one name share a file, ordered by their arguments. */
export type FunctionDefinitions = Map<string, string>;

/**
 * Every function and procedure outside PostgreSQL's own schemas and not part of an extension: all
 * of them are Vigil's (today all live in schema `vigil`).
 */
export async function readDatabaseFunctions(query: SqlQuery): Promise<FunctionDefinitions> {
  const rows = await query<{ name: string; definition: string }>(
    `SELECT n.nspname || '.' || p.proname AS name, pg_get_functiondef(p.oid) AS definition
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.prokind IN ('f', 'p')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
       AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = 'pg_proc'::regclass
                       AND dep.objid = p.oid AND dep.deptype = 'e')
     ORDER BY 1, pg_get_function_identity_arguments(p.oid)`,
  );
  const byName: FunctionDefinitions = new Map();
  for (const row of rows) {
    const text = `${row.definition.trimEnd()}\n`;
    const prior = byName.get(row.name);
    byName.set(row.name, prior === undefined ? text : `${prior}\n${text}`);
  }
  return byName;
}

export function readFunctionFiles(dir = FUNCTIONS_DIR): FunctionDefinitions {
  const files: FunctionDefinitions = new Map();
  for (const entry of fs.readdirSync(dir).sort()) {
    if (entry.endsWith('.sql'))
      files.set(entry.slice(0, -'.sql'.length), fs.readFileSync(path.join(dir, entry), 'utf8'));
  }
  return files;
}

export interface FunctionComparison {
  /** In the database, no file. */
  withoutFile: string[];
  /** A file, no such function in the database. */
  withoutFunction: string[];
  /** Both, different text. */
  changed: string[];
}

export function compareFunctions(
  database: FunctionDefinitions,
  files: FunctionDefinitions,
): FunctionComparison {
  return {
    withoutFile: [...database.keys()].filter((name) => !files.has(name)),
    withoutFunction: [...files.keys()].filter((name) => !database.has(name)),
    changed: [...database.keys()].filter((name) => files.has(name) && files.get(name) !== database.get(name)),
  };
}

/** Replaces every file in `dir` with the database's functions; returns the names written. */
export function writeFunctionFiles(database: FunctionDefinitions, dir = FUNCTIONS_DIR): string[] {
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of fs.readdirSync(dir)) if (entry.endsWith('.sql')) fs.rmSync(path.join(dir, entry));
  for (const [name, text] of database) fs.writeFileSync(path.join(dir, `${name}.sql`), text);
  return [...database.keys()];
}

/** A throwaway PostgreSQL 15 with every central migration applied by the owner role. */
export async function withMigratedCentral<T>(fn: (query: SqlQuery) => Promise<T>): Promise<T> {
  const pg = await startPostgres();
  const owner = openPostgres({ url: pg.url, sslMode: 'disable' });
  try {
    await migrateCentral(owner.db);
    return await fn(owner.query);
  } finally {
    await owner.close();
    await pg.stop();
  }
}
