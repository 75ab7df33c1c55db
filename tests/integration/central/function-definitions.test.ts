// The reviewed text of every central function is what the migrations actually produce. Each function
// has one file, schema/central/functions/<schema>.<name>.sql, holding exactly what
// pg_get_functiondef prints for it on a PostgreSQL 15 with every central migration applied.
//
// When this fails after you changed a function (always in a NEW migration: released migrations are
// frozen), regenerate the files and commit them with the migration:
//   node scripts/dump-central-functions.mjs
// then read the diff of schema/central/functions/ as the review of your change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type CentralStore } from '../../../src-main/central/connect';
import { migrateCentral } from '../../../src-main/central/migrate';
import {
  compareFunctions,
  FUNCTIONS_DIR,
  readDatabaseFunctions,
  readFunctionFiles,
} from '../../support/central-functions';
import { startPostgres, type PostgresCluster } from '../../support/postgres';

const REGENERATE = 'run `node scripts/dump-central-functions.mjs` and commit schema/central/functions/';

let pg: PostgresCluster;
let owner: CentralStore;
beforeAll(async () => {
  pg = await startPostgres();
  owner = openPostgres({ url: pg.url, sslMode: 'disable' });
  await migrateCentral(owner.db);
});
afterAll(async () => {
  await owner?.close();
  await pg?.stop();
});

describe('central function definitions', () => {
  it('every function of the migrated database matches its file, and every file has its function', async () => {
    const database = await readDatabaseFunctions(owner.query);
    const files = readFunctionFiles();
    // Guards against comparing two empty sets (wrong schema filter, files not found).
    expect(database.has('vigil.ingest')).toBe(true);
    expect(files.size).toBeGreaterThan(0);

    const { withoutFile, withoutFunction, changed } = compareFunctions(database, files);
    expect(withoutFile, `functions with no file in ${FUNCTIONS_DIR}: ${REGENERATE}`).toEqual([]);
    expect(withoutFunction, `files naming no function of the migrated database: ${REGENERATE}`).toEqual([]);
    for (const name of changed) {
      // A soft expectation per function prints a readable line diff for each one that differs.
      expect
        .soft(database.get(name), `${name} differs from ${name}.sql: ${REGENERATE}`)
        .toBe(files.get(name));
    }
    expect(changed).toEqual([]);
  });

  it('notices a changed body, a function without a file and a file without a function', async () => {
    // The reference is the database's own reading, so this holds while the files are out of date.
    const files = await readDatabaseFunctions(owner.query);
    const fetchExam = files.get('vigil.fetch_exam') ?? '';
    await owner.query(fetchExam.replace("'title', e.title", "'name', e.title"));
    await owner.query(`CREATE FUNCTION vigil.unreviewed() RETURNS integer LANGUAGE sql AS 'SELECT 1'`);
    // A file left behind by a function a later migration dropped.
    const withRetired = new Map([
      ...files,
      ['vigil.retired', 'CREATE OR REPLACE FUNCTION vigil.retired()\n'],
    ]);
    try {
      const comparison = compareFunctions(await readDatabaseFunctions(owner.query), withRetired);
      expect(comparison).toEqual({
        withoutFile: ['vigil.unreviewed'],
        withoutFunction: ['vigil.retired'],
        changed: ['vigil.fetch_exam'],
      });
    } finally {
      await owner.query(fetchExam);
      await owner.query(`DROP FUNCTION vigil.unreviewed()`);
    }
  });
});
