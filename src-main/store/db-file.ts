// Where a data folder keeps its one local database: the store, the media ledger and the interview
// service all open this file.
import path from 'node:path';

export function localDbPath(dataDir: string): string {
  return path.join(dataDir, 'vigil.db');
}
