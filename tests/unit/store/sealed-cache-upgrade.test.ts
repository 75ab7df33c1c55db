// A device upgrading from a version that cached exams in plaintext: migration 0305 drops that cache
// (its questions were readable by anyone with the file), so nothing of it is left on disk, and the
// exam is fetched again sealed when the server is next reachable (tests/integration/session/exam-seal.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localMigrations } from '../../../migrations/local/index';
import { migrateLocal, openLocalStore } from '../../../src-main/store/local-store';
import { makeTempDir } from '../../support/temp-dir';

const temp = makeTempDir();
afterAll(() => temp.cleanup());

describe('upgrade from a plaintext exam cache', () => {
  it('drops the plaintext questions and keeps the table for sealed exams', async () => {
    const file = path.join(temp.dir, 'plain.db');
    const store = await openLocalStore(file, { migrate: false });
    try {
      const { '0305_sealed_exam_cache': sealed, ...before } = localMigrations;
      expect(sealed).toBeDefined();
      await migrateLocal(store.kysely, before);
      const question = 'Explain the plaintext question that must not survive';
      // Many exams, many pages: a freed page that nothing reuses would keep its bytes.
      const insert = store.raw.prepare(
        `INSERT INTO cached_exams (id, definition, fetched_at) VALUES (?, ?, ?)`,
      );
      for (let i = 0; i < 40; i++)
        insert.run(
          `exam-${i}`,
          JSON.stringify({ id: `exam-${i}`, keyQuestions: Array(20).fill({ question, time_limit_s: 60 }) }),
          'now',
        );
      // As on a device that has run for a while: the plaintext is in the database file itself.
      store.raw.pragma('wal_checkpoint(TRUNCATE)');
      expect(fs.readFileSync(file).includes(Buffer.from(question))).toBe(true);
      expect(await migrateLocal(store.kysely)).toEqual(['0305_sealed_exam_cache']);
      expect(store.raw.prepare('SELECT count(*) AS n FROM cached_exams').get()).toEqual({ n: 0 });
      const columns = store.raw.prepare('PRAGMA table_info(cached_exams)').all() as { name: string }[];
      expect(columns.map((c) => c.name)).toContain('sealed');
      store.raw.pragma('wal_checkpoint(TRUNCATE)');
      expect(fs.readFileSync(file).includes(Buffer.from(question))).toBe(false);
    } finally {
      await store.close();
    }
  });
});
