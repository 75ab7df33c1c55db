// One local database, one owner: src-main/store/local-store.ts is the only module in src-main/ that
// opens the SQLite file. Every other module gets the store (or a Tx of one of its transactions), so
// a domain row and its outbox row always share one connection and one transaction. This scans the
// sources, so a new `new Database(...)` or a value import of better-sqlite3 elsewhere fails here.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const OWNER = 'src-main/store/local-store.ts';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(ts|tsx|mts|js|mjs|cjs)$/.test(entry.name) ? [full] : [];
  });
}

/** What in a source file can open a SQLite file: a value import/require of the driver, or its constructor. */
function opensDatabase(text: string): string[] {
  const found: string[] = [];
  // `import type … from 'better-sqlite3'` only names types; anything else binds the driver.
  for (const m of text.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+['"]better-sqlite3['"]/gm))
    found.push(m[0].trim());
  for (const m of text.matchAll(/^\s*import\s+['"]better-sqlite3['"]/gm)) found.push(m[0].trim());
  for (const m of text.matchAll(/(?:require|import)\s*\(\s*['"]better-sqlite3['"]\s*\)/g)) found.push(m[0]);
  for (const m of text.matchAll(/new\s+(?:Database|BetterSqlite3|SqliteDatabase)\s*\(/g)) found.push(m[0]);
  return found;
}

describe('the local database file', () => {
  it('is opened only by the local store', () => {
    const offenders = sources('src-main')
      .map((file) => file.split(path.sep).join('/'))
      .filter((file) => file !== OWNER)
      .map((file) => ({ file, opens: opensDatabase(fs.readFileSync(file, 'utf8')) }))
      .filter((f) => f.opens.length > 0);
    expect(offenders).toEqual([]);
    // The owner itself does open it (else the scan would be looking at the wrong thing).
    expect(opensDatabase(fs.readFileSync(OWNER, 'utf8')).length).toBeGreaterThan(0);
  });

  it('recognises every way of opening it, and lets type-only imports through', () => {
    expect(opensDatabase(`import Database from 'better-sqlite3';`)).toHaveLength(1);
    expect(opensDatabase(`import * as sqlite from "better-sqlite3";`)).toHaveLength(1);
    expect(opensDatabase(`const D = require('better-sqlite3');`)).toHaveLength(1);
    expect(opensDatabase(`const D = await import('better-sqlite3');`)).toHaveLength(1);
    expect(opensDatabase(`const db = new Database(file, { readonly: true });`)).toHaveLength(1);
    expect(opensDatabase(`import type Database from 'better-sqlite3';`)).toEqual([]);
    expect(opensDatabase(`import type { Statement } from 'better-sqlite3';`)).toEqual([]);
  });
});
