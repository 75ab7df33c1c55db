// Static map of the local SQLite migrations, bundled with the app (no reading from disk at run time).
// Ranges: 0001–0099 store core, 0200–0299 interview and evaluation.
import type { Migration } from 'kysely';
import * as m0200 from './0200_interview';
import * as m0201 from './0201_documents';
import * as m0202 from './0202_evaluation';
import * as m0203 from './0203_token_usage';

export const localMigrations: Record<string, Migration> = {
  '0200_interview': m0200,
  '0201_documents': m0201,
  '0202_evaluation': m0202,
  '0203_token_usage': m0203,
};
