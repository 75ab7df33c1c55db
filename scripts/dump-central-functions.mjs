// Rewrites schema/central/functions/<schema>.<name>.sql from a throwaway PostgreSQL 15 with every
// central migration applied: run it after adding a migration that creates, replaces or drops a
// function, and commit the files with that migration: `node scripts/dump-central-functions.mjs`.
// tests/integration/central/function-definitions.test.ts fails while the files are out of date.
import { register } from 'tsx/esm/api';

register();
const { readDatabaseFunctions, withMigratedCentral, writeFunctionFiles, FUNCTIONS_DIR } =
  await import('../tests/support/central-functions.ts');
const names = await withMigratedCentral(async (query) =>
  writeFunctionFiles(await readDatabaseFunctions(query)),
);
console.log(`wrote ${names.length} function files to ${FUNCTIONS_DIR}`);
