// A device enrolled before an installation could hold several exams upgrades with data still
// queued: migration 0304 turns its one device row into its first enrollment (the existing
// `device-token` file is that enrollment's token), its sessions and queued items into that
// enrollment's, so they are sent with the same token as before.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localMigrations } from '../../../migrations/local/index';
import { createTokenVault, createTokenVaults } from '../../../src-main/store/device-credentials';
import { loadEnrollments } from '../../../src-main/store/enrollments';
import { enqueue } from '../../../src-main/store/outbox';
import { migrateLocal, openLocalStore } from '../../../src-main/store/local-store';
import { enrollmentCredential } from '../../../src-main/sync/credentials';
import { makeTempDir } from '../../support/temp-dir';

const temp = makeTempDir();
afterAll(() => temp.cleanup());

describe('upgrade to an enrollment per exam', () => {
  it('keeps the one device as the first enrollment, with its token, sessions and queued items', async () => {
    const store = await openLocalStore(path.join(temp.dir, 'vigil.db'), { migrate: false });
    try {
      const { '0304_enrollment_per_exam': perExam, ...before } = localMigrations;
      expect(perExam).toBeDefined();
      await migrateLocal(store.kysely, before);
      // The token as the single-device app wrote it.
      createTokenVault(temp.dir).save('old-token');
      const db = store.raw;
      const deviceId = randomUUID();
      const examId = randomUUID();
      const sessionId = randomUUID();
      const at = new Date().toISOString();
      db.prepare(
        `INSERT INTO device (id, device_id, candidate_id, exam_id, token_storage, enrolled_at, expires_at)
         VALUES (1, ?, ?, ?, 'file', ?, NULL)`,
      ).run(deviceId, randomUUID(), examId, at);
      db.prepare(`INSERT INTO sessions (id, exam_id, started_at) VALUES (?, ?, ?)`).run(
        sessionId,
        examId,
        at,
      );
      const queue = db.prepare(
        `INSERT INTO outbox (kind, idempotency_key, payload, bytes, created_at) VALUES (?, ?, ?, 1, ?)`,
      );
      queue.run('session.start', 'k1', JSON.stringify({ id: sessionId, startedAt: at }), at);
      queue.run('event', 'k2', JSON.stringify({ body: JSON.stringify({ sessionId, seq: 1 }) }), at);
      queue.run('warning', 'k3', JSON.stringify({ id: randomUUID(), sessionId }), at);
      queue.run('token_usage', 'k4', JSON.stringify({ id: randomUUID() }), at);

      await migrateLocal(store.kysely, localMigrations);

      expect(loadEnrollments(store)).toEqual([
        expect.objectContaining({ deviceId, examId, tokenFile: 'device-token' }) as unknown,
      ]);
      expect(db.prepare('SELECT device_id FROM sessions').all()).toEqual([{ device_id: deviceId }]);
      expect(db.prepare('SELECT DISTINCT device_id FROM outbox').all()).toEqual([{ device_id: deviceId }]);
      const vaults = createTokenVaults(temp.dir);
      expect(enrollmentCredential(store, vaults, deviceId)).toBe('old-token');
      // Written after the upgrade: the item takes its session's enrollment.
      store.write('more', (tx) =>
        enqueue(tx, { kind: 'event', idempotencyKey: 'k5', payload: {}, sessionId }),
      );
      expect(db.prepare(`SELECT device_id FROM outbox WHERE idempotency_key = 'k5'`).get()).toEqual({
        device_id: deviceId,
      });
    } finally {
      await store.close();
    }
  });
});
