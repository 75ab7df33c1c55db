// Local SQLite store: pragmas, migrations, outbox atomicity, event chain, exam cache, deletion rules
// and typed errors for a full disk and a busy database.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { localMigrations } from '../../../migrations/local/index';
import { checkMigrationNames } from '../../../migrations/provider';
import { VigilError } from '../../../src-main/errors';
import { canonicalJson } from '../../../src-main/store/canonical-json';
import { checkDatabase } from '../../../src-main/store/check';
import { cacheExam, cachedExam, cachedExamInfo, openCachedExam } from '../../../src-main/store/exam-cache';
import { sealedExam } from '../../support/sealed-exam';
import { appendEvent, verifyChain } from '../../../src-main/store/event-chain';
import { migrateLocal, openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import type { LocalDatabase } from '../../../src-main/store/schema';
import { enqueue, outboxCounts, pendingBatch } from '../../../src-main/store/outbox';
import { addSnapshot, finishSession, recordWarning, startSession } from '../../../src-main/store/sessions';
import { makeTempDir } from '../../support/temp-dir';
import { explainedRisk } from '../../support/risk';

const temp = makeTempDir();
afterAll(() => temp.cleanup());

let store: LocalStore;
beforeEach(async () => {
  store = await openLocalStore(path.join(temp.dir, `${randomUUID()}.db`));
  return () => store.close();
});

const EXAM = {
  id: randomUUID(),
  title: 'Backend interview',
  type: 'SKL' as const,
  difficulty: 6,
  keyQuestions: [{ question: 'Explain MVCC', time_limit_s: 120 }],
  policy: { frameRate: 2 },
  retentionDays: 30,
  uploadMode: 'full' as const,
};

describe('local store', () => {
  it('applies a migration of an earlier range that an app update brings (numbered per capability)', async () => {
    const sqlite = new Database(path.join(temp.dir, 'upgrade.db'));
    const kysely = new Kysely<LocalDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
    try {
      const { '0100_media_segments': media, ...older } = localMigrations;
      expect(media).toBeDefined();
      await migrateLocal(kysely, older);
      expect(await migrateLocal(kysely)).toEqual(['0100_media_segments']);
      const tables = sqlite
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'media_segments'`)
        .all();
      expect(tables).toHaveLength(1);
    } finally {
      await kysely.destroy();
    }
  });

  it('runs in WAL mode with synchronous=FULL and foreign keys on', () => {
    expect(store.raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.raw.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.raw.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('has well-formed migration names in the static map', () => {
    expect(checkMigrationNames(localMigrations)).toEqual([]);
    // Each capability owns a range (see migrations/local/index.ts); the store's own are 0001–0099.
    const store = Object.keys(localMigrations).filter((n) => Number(n.slice(0, 4)) <= 99);
    expect(store).toEqual([
      '0001_device_and_exam_cache',
      '0002_sessions_events_warnings',
      '0003_outbox_and_blob_uploads',
      '0004_jobs',
    ]);
    expect(Object.keys(localMigrations).every((n) => Number(n.slice(0, 4)) < 400)).toBe(true);
  });

  it('commits a domain write and its outbox row together, or neither', () => {
    const sessionId = store.write('start', (tx) => startSession(tx, { examId: EXAM.id }));
    expect(outboxCounts(store).pendingItems).toBe(2); // session.start + session_started event
    expect(() =>
      store.write('half a write', (tx) => {
        recordWarning(tx, {
          sessionId,
          type: 'no_face',
          severity: 'high',
          startedAt: new Date().toISOString(),
        });
        throw new Error('crash between the domain row and commit');
      }),
    ).toThrow(VigilError);
    expect(store.all(store.q.selectFrom('warnings').selectAll())).toHaveLength(0);
    expect(outboxCounts(store).pendingItems).toBe(2);
    expect(pendingBatch(store, 10).map((r) => r.kind)).toEqual(['session.start', 'event']);
  });

  it('chains events with sha256(prev ‖ canonical JSON) and detects tampering', () => {
    const sessionId = store.write('start', (tx) => startSession(tx, { examId: EXAM.id }));
    store.write('events', (tx) => {
      for (let i = 0; i < 5; i++) appendEvent(tx, { sessionId, kind: 'gaze', data: { i, b: 2, a: 1 } });
    });
    expect(verifyChain(store, sessionId)).toMatchObject({ ok: true, events: 6 });
    const third = store.first(store.q.selectFrom('events').select('body').where('seq', '=', 3));
    expect(third?.body).toBe(canonicalJson(JSON.parse(third?.body ?? '{}')));
    store.raw.prepare(`UPDATE events SET body = replace(body, '"gaze"', '"tampered"') WHERE seq = 3`).run();
    expect(verifyChain(store, sessionId)).toMatchObject({ ok: false, brokenAt: 3 });
    expect(checkDatabase(store).ok).toBe(false);
  });

  it('canonical JSON sorts keys and refuses non-finite numbers', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(() => canonicalJson({ x: NaN })).toThrow(TypeError);
  });

  it('caches exam definitions sealed for offline start, opens them with the key and refuses malformed ones', async () => {
    const { fetched, key } = await sealedExam(EXAM);
    store.write('cache', (tx) => cacheExam(tx, fetched));
    // Before the start: the list's facts only; the questions are not readable.
    expect(cachedExamInfo(store, EXAM.id)).toMatchObject({ title: 'Backend interview', questionCount: 1 });
    expect(cachedExam(store, EXAM.id)).toBeUndefined();
    expect(() => openCachedExam(store, EXAM.id, Buffer.alloc(32))).toThrow(/has been altered/);
    expect(openCachedExam(store, EXAM.id, key)).toMatchObject({ keyQuestions: EXAM.keyQuestions });
    expect(cachedExam(store, EXAM.id)).toMatchObject({ title: 'Backend interview', difficulty: 6 });
    expect(() => store.write('cache', (tx) => cacheExam(tx, { ...fetched, difficulty: 11 }))).toThrow(
      /malformed/,
    );
  });

  it('deleting a session removes its events, warnings and snapshots', () => {
    const sessionId = store.write('start', (tx) => startSession(tx, { examId: EXAM.id }));
    store.write('evidence', (tx) => {
      const warningId = recordWarning(tx, {
        sessionId,
        type: 'no_face',
        severity: 'high',
        startedAt: new Date().toISOString(),
      });
      addSnapshot(tx, { sessionId, warningId, path: '/tmp/x.jpg', sha256: 'ab'.repeat(32), bytes: 10 });
      finishSession(tx, { sessionId, status: 'completed', risk: explainedRisk(12, warningId) });
    });
    expect(checkDatabase(store)).toMatchObject({
      ok: true,
      outbox: { rejectedItems: 0 },
      blobs: { pendingBlobs: 1 },
    });
    store.raw.prepare('DELETE FROM sessions WHERE id = ?').run(sessionId);
    for (const table of ['events', 'warnings', 'snapshots'] as const) {
      expect(store.all(store.q.selectFrom(table).selectAll())).toHaveLength(0);
    }
  });

  it('a full disk surfaces as DISK_FULL and nothing half-written remains', async () => {
    const sessionId = store.write('start', (tx) => startSession(tx, { examId: EXAM.id }));
    const pages = store.raw.pragma('page_count', { simple: true }) as number;
    store.raw.pragma(`max_page_count = ${pages + 2}`);
    const big = 'x'.repeat(64 * 1024);
    let error: unknown;
    try {
      for (let i = 0; i < 100; i++)
        store.write('recording an event', (tx) =>
          appendEvent(tx, { sessionId, kind: 'blob', data: { big } }),
        );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('DISK_FULL');
    expect(verifyChain(store, sessionId).ok).toBe(true);
    const events = store.all(store.q.selectFrom('events').select('seq').where('session_id', '=', sessionId));
    expect(outboxCounts(store).pendingItems).toBe(events.length + 1);
  });

  it('SQLITE_BUSY surfaces as STORAGE_BUSY and the write is not applied', async () => {
    const other = await openLocalStore(store.file, { migrate: false, busyTimeoutMs: 0 });
    try {
      store.raw.exec('BEGIN IMMEDIATE');
      let error: unknown;
      try {
        other.write('recording a warning', (tx) =>
          enqueue(tx, { kind: 'event', idempotencyKey: 'k1', payload: {} }),
        );
      } catch (e) {
        error = e;
      }
      store.raw.exec('ROLLBACK');
      expect((error as VigilError).code).toBe('STORAGE_BUSY');
      expect((error as VigilError).message).toMatch(/was not saved/);
      expect(outboxCounts(store).pendingItems).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('migrations run down and up again', async () => {
    const { Migrator } = await import('kysely');
    const { StaticMigrationProvider } = await import('../../../migrations/provider');
    const migrator = new Migrator({
      db: store.kysely,
      provider: new StaticMigrationProvider(localMigrations),
    });
    for (let i = 0; i < Object.keys(localMigrations).length; i++)
      expect((await migrator.migrateDown()).error).toBeUndefined();
    const tables = await sql<{
      name: string;
    }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'kysely%' AND name NOT LIKE 'sqlite%'`.execute(
      store.kysely,
    );
    expect(tables.rows).toEqual([]);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
  });
});
