// Local database integrity: every SQLite file in the data folder gets `PRAGMA integrity_check`
// (read-only, so a damaged file is never made worse). A damaged database loses exam data if it is
// not repaired before the next exam.
import fs from 'node:fs';
import path from 'node:path';
import { openLocalStore } from '../../store/local-store';
import type { DoctorCheck } from '../types';

const SQLITE_FILE = /\.(db|sqlite|sqlite3)$/i;

export async function databaseCheck(dataDir: string): Promise<DoctorCheck> {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dataDir).filter((name) => SQLITE_FILE.test(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (names.length === 0)
    return {
      id: 'database',
      title: 'Local database',
      status: 'ok',
      summary: `no local database yet in ${dataDir} (created at first sign-in)`,
      details: { dataDir, databases: [] },
    };
  const databases = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dataDir, name);
      try {
        const store = await openLocalStore(file, { readonly: true });
        try {
          const rows = store.raw.pragma('integrity_check') as { integrity_check: string }[];
          const messages = rows.map((row) => row.integrity_check);
          return { file, ok: messages.length === 1 && messages[0] === 'ok', result: messages.slice(0, 5) };
        } finally {
          await store.close();
        }
      } catch (error) {
        return { file, ok: false, result: [(error as Error).message] };
      }
    }),
  );
  const bad = databases.filter((d) => !d.ok);
  return {
    id: 'database',
    title: 'Local database',
    status: bad.length > 0 ? 'fail' : 'ok',
    summary:
      bad.length > 0
        ? `${bad.map((d) => `${d.file} is damaged (${d.result.join('; ')})`).join('; ')}. Do not start an exam; contact support before deleting it (it may hold unsent recordings).`
        : `${databases.length} database(s) pass integrity_check`,
    details: { dataDir, databases },
  };
}
