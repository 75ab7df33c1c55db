// Storage quotas (central 0520) through the real device uploader against real PostgreSQL: a file
// over the exam's session or device quota (bytes or count) is refused at blob_begin as
// QUOTA_EXCEEDED, kept on the device with the reason (status, log) without holding up the rest;
// once an administrator raises the quota the device sends it again (at the uploader's next start,
// or `vigil sync retry`) and it arrives exactly once. The default quota follows the exam's length
// and upload mode.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExam } from '../../../src-main/central/admin';
import { hashFile, registerBlob } from '../../../src-main/store/blob-uploads';
import type { LocalStore } from '../../../src-main/store/local-store';
import { outboxCounts } from '../../../src-main/store/outbox';
import { startSession } from '../../../src-main/store/sessions';
import { retryQuotaRefusedBlobs } from '../../../src-main/sync/blob-uploader';
import { Uploader } from '../../../src-main/sync/uploader';
import { enrollLocalDevice, startCentral, type CentralFixture } from '../../support/central';
import { makeTempDir } from '../../support/temp-dir';

let central: CentralFixture;
const temp = makeTempDir();
beforeAll(async () => {
  central = await startCentral();
});
afterAll(async () => {
  await central?.close();
  temp.cleanup();
});

async function enrolledStore(name: string, policy?: Record<string, unknown>) {
  const examId = await central.createExam(`Exam ${name}`, policy);
  const dir = path.join(temp.dir, name);
  const enrolled = await enrollLocalDevice(central, { dir, examId, label: name });
  return { ...enrolled, dir, examId };
}

/** A file of `bytes` on the device, registered for upload in the session; returns its id. */
async function addFile(store: LocalStore, dir: string, sessionId: string, bytes: number): Promise<string> {
  const id = randomUUID();
  const file = path.join(dir, `${id}.jpg`);
  fs.writeFileSync(file, Buffer.alloc(bytes, id.charCodeAt(0)));
  const { sha256, size } = await hashFile(file);
  store.write('register', (tx) =>
    registerBlob(tx, {
      id,
      sessionId,
      kind: 'snapshot',
      path: file,
      sha256,
      size,
      contentType: 'image/jpeg',
      deleteAfterUpload: false,
    }),
  );
  return id;
}

function localRow(store: LocalStore, id: string) {
  return store.raw
    .prepare('SELECT status, reason, reason_code, path FROM blob_uploads WHERE id = ?')
    .get(id) as { status: string; reason: string | null; reason_code: string | null; path: string };
}

async function centralBlobs(sessionId: string): Promise<{ id: string; status: string; size: string }[]> {
  return central.owner.query(
    `SELECT id, status, size FROM vigil.blobs WHERE session_id = $1 ORDER BY created_at, id`,
    [sessionId],
  );
}

function capturingLogger() {
  const warnings: { facts: Record<string, unknown>; message: string }[] = [];
  return {
    warnings,
    logger: {
      warn: (facts: Record<string, unknown>, message: string) => void warnings.push({ facts, message }),
    },
  };
}

describe('storage quotas', () => {
  it('refuses a file over the session byte quota, keeps it with the reason, sends the rest, and sends it exactly once after the quota is raised', async () => {
    const { store, dir, token, examId } = await enrolledStore('bytes', {
      storageQuota: { sessionBytes: 10_000 },
    });
    const sessionId = store.write('start', (tx) => startSession(tx, { examId }));
    const first = await addFile(store, dir, sessionId, 6000);
    const over = await addFile(store, dir, sessionId, 6000);
    const fits = await addFile(store, dir, sessionId, 3000);
    const { warnings, logger } = capturingLogger();
    const uploader = new Uploader({ store, channel: central.channel, token, logger });
    const round = await uploader.syncOnce();

    // The session's items went up, the first and third file too: the refusal held nothing up.
    expect(outboxCounts(store).pendingItems).toBe(0);
    expect(round.blobs).toBe(3);
    expect((await centralBlobs(sessionId)).map((b) => b.id)).toEqual([first, fits]);
    const refused = localRow(store, over);
    expect(refused.status).toBe('rejected');
    expect(refused.reason_code).toBe('QUOTA_EXCEEDED');
    expect(refused.reason).toContain("session's storage quota is used up");
    expect(refused.reason).toContain('(6,000 bytes of 10,000 bytes, 1 of'); // used / limit
    expect(refused.reason).toContain('proctor or IT');
    expect(fs.existsSync(refused.path)).toBe(true);
    // What `vigil sync status` prints and the candidate's status area reads.
    const status = uploader.status();
    expect(status.rejectedBlobs).toBe(1);
    expect(status.rejected).toContainEqual({ key: over, kind: 'file:snapshot', reason: refused.reason });
    expect(warnings.map((w) => [w.facts.blob, w.facts.code])).toEqual([[over, 'QUOTA_EXCEEDED']]);
    expect(warnings[0]?.facts.reason).toBe(refused.reason);

    // While the quota stands, a retry is refused again before a byte is sent; nothing is lost.
    expect(retryQuotaRefusedBlobs(store)).toBe(1);
    await uploader.syncOnce();
    expect(localRow(store, over).status).toBe('rejected');
    expect((await centralBlobs(sessionId)).map((b) => b.id)).toEqual([first, fits]);

    // An administrator raises the quota; the uploader's next start sends the held file.
    await central.owner.query(
      `UPDATE vigil.exams SET policy = jsonb_set(policy, '{storageQuota,sessionBytes}', '20000') WHERE id = $1`,
      [examId],
    );
    const restarted = new Uploader({ store, channel: central.channel, token, idleMs: 50 });
    restarted.start();
    for (let i = 0; i < 200 && localRow(store, over).status !== 'done'; i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    await restarted.stop();
    expect(localRow(store, over)).toMatchObject({ status: 'done', reason: null, reason_code: null });
    const after = await centralBlobs(sessionId);
    expect(after).toHaveLength(3);
    expect(after.filter((b) => b.id === over)).toEqual([{ id: over, status: 'complete', size: '6000' }]);
    const [chunks] = await central.owner.query<{ bytes: string }>(
      `SELECT sum(length(data))::text AS bytes FROM vigil.blob_chunks WHERE blob_id = $1`,
      [over],
    );
    expect(chunks?.bytes).toBe('6000');
    // Once: a later round has nothing left to send.
    expect((await uploader.syncOnce()).blobs).toBe(0);
    await store.close();
  });

  it('a running uploader sends a held file on its own once the quota is raised (no restart)', async () => {
    const { store, dir, token, examId } = await enrolledStore('running', {
      storageQuota: { sessionBytes: 5_000 },
    });
    const sessionId = store.write('start', (tx) => startSession(tx, { examId }));
    const held = await addFile(store, dir, sessionId, 6000);
    const uploader = new Uploader({ store, channel: central.channel, token, idleMs: 50, quotaRetryMs: 300 });
    uploader.start();
    try {
      const until = async (status: string) => {
        for (let i = 0; i < 400 && localRow(store, held).status !== status; i++)
          await new Promise((resolve) => setTimeout(resolve, 25));
        return localRow(store, held).status;
      };
      expect(await until('rejected')).toBe('rejected');
      await central.owner.query(
        `UPDATE vigil.exams SET policy = jsonb_set(policy, '{storageQuota,sessionBytes}', '20000') WHERE id = $1`,
        [examId],
      );
      expect(await until('done')).toBe('done');
    } finally {
      await uploader.stop();
    }
    expect((await centralBlobs(sessionId)).map((b) => [b.id, b.status])).toEqual([[held, 'complete']]);
    await store.close();
  });

  it('refuses the file over the session file count', async () => {
    const { store, dir, token, examId } = await enrolledStore('count', { storageQuota: { sessionBlobs: 2 } });
    const sessionId = store.write('start', (tx) => startSession(tx, { examId }));
    const ids = [
      await addFile(store, dir, sessionId, 100),
      await addFile(store, dir, sessionId, 100),
      await addFile(store, dir, sessionId, 100),
    ];
    await new Uploader({ store, channel: central.channel, token }).syncOnce();
    expect((await centralBlobs(sessionId)).map((b) => b.id)).toEqual(ids.slice(0, 2));
    expect(localRow(store, ids[2]!)).toMatchObject({ status: 'rejected', reason_code: 'QUOTA_EXCEEDED' });
    expect(localRow(store, ids[2]!).reason).toContain('2 of 2 files');
    await store.close();
  });

  it('counts every session of the device against the device quota', async () => {
    const { store, dir, token, examId } = await enrolledStore('device', {
      storageQuota: { deviceBytes: 10_000 },
    });
    const one = store.write('start', (tx) => startSession(tx, { examId }));
    const two = store.write('start', (tx) => startSession(tx, { examId }));
    const inOne = await addFile(store, dir, one, 6000);
    const overInTwo = await addFile(store, dir, two, 6000);
    const fitsInTwo = await addFile(store, dir, two, 3000);
    await new Uploader({ store, channel: central.channel, token }).syncOnce();
    expect((await centralBlobs(one)).map((b) => b.id)).toEqual([inOne]);
    expect((await centralBlobs(two)).map((b) => b.id)).toEqual([fitsInTwo]);
    const refused = localRow(store, overInTwo);
    expect(refused).toMatchObject({ status: 'rejected', reason_code: 'QUOTA_EXCEEDED' });
    expect(refused.reason).toContain("device's storage quota is used up");
    await store.close();
  });

  it('derives the default quota from the exam length and upload mode', async () => {
    const exam = (minutes: number, uploadMode: 'full' | 'flags_only') =>
      createExam(central.owner.db, {
        title: `${minutes} min ${uploadMode}`,
        type: 'SKL',
        difficulty: 5,
        keyQuestions: [{ question: 'Why?', time_limit_s: minutes * 60 }],
        uploadMode,
      });
    const quota = async (examId: string) => {
      const [row] = await central.owner.query<{ q: Record<string, number> }>(
        `SELECT vigil.blob_quota($1, NULL) AS q`,
        [examId],
      );
      return row?.q ?? {};
    };
    const shortFull = await exam(10, 'full');
    const longFull = await exam(120, 'full');
    const longClips = await exam(120, 'flags_only');
    // (2 × length + 30 min) × 146 300 B/s + 64 MiB; a tenth of the rate for clips only.
    expect(await quota(shortFull)).toMatchObject({
      sessionBytes: (2 * 600 + 1800) * 146_300 + 67_108_864,
      sessionBlobs: 200 + (2 * 600 + 1800) / 5,
    });
    expect((await quota(longFull)).sessionBytes).toBe((2 * 7200 + 1800) * 146_300 + 67_108_864);
    expect((await quota(longClips)).sessionBytes).toBe((2 * 7200 + 1800) * 14_630 + 67_108_864);
    // Generated questions not made yet: the most they may take, 600 s each.
    const generated = await createExam(central.owner.db, {
      title: 'generated',
      type: 'SKL',
      difficulty: 5,
      keyQuestions: [{ question: 'Why?', time_limit_s: 600 }],
      policy: { generatedQuestions: 5 },
    });
    expect((await quota(generated)).lengthS).toBe(600 + 5 * 600);
    const long = await quota(longFull);
    expect(long.deviceBytes).toBe(3 * (long.sessionBytes ?? 0));

    // What a device notices: one announced size is taken for the long full recording, refused for
    // the short exam and for the clips-only one (before a byte is sent).
    const size = 1_000_000_000;
    const begin = async (examId: string) => {
      const dir = path.join(temp.dir, `derived-${randomUUID()}`);
      const { store, token } = await enrollLocalDevice(central, { dir, examId, label: 'derived' });
      const sessionId = store.write('start', (tx) => startSession(tx, { examId }));
      await new Uploader({ store, channel: central.channel, token }).syncOnce(); // files the session
      await store.close();
      return central.channel.blobBegin(token() ?? '', {
        id: randomUUID(),
        sessionId,
        kind: 'video',
        sha256: 'a'.repeat(64),
        size,
        contentType: 'video/webm',
      });
    };
    await expect(begin(longFull)).resolves.toMatchObject({ offset: 0 });
    const shortLimit = (await quota(shortFull)).sessionBytes;
    await expect(begin(shortFull)).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: { scope: 'session', usedBytes: 0, limitBytes: shortLimit },
    });
    await expect(begin(longClips)).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
  });

  it('two uploads begun at once cannot both squeeze into the last room', async () => {
    const { store, dir, token, examId } = await enrolledStore('race', {
      storageQuota: { sessionBytes: 10_000 },
    });
    const sessionId = store.write('start', (tx) => startSession(tx, { examId }));
    await addFile(store, dir, sessionId, 10); // sends the session to central
    await new Uploader({ store, channel: central.channel, token }).syncOnce();
    const t = token() ?? '';
    const begin = () =>
      central.channel.blobBegin(t, {
        id: randomUUID(),
        sessionId,
        kind: 'other',
        sha256: 'c'.repeat(64),
        size: 6000,
        contentType: 'application/octet-stream',
      });
    const results = await Promise.allSettled([begin(), begin(), begin()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect(r.reason).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await store.close();
  });

  it('a file started small cannot grow past its announced size', async () => {
    const { store, dir, token, examId } = await enrolledStore('grow', {
      storageQuota: { sessionBytes: 1000 },
    });
    const sessionId = store.write('start', (tx) => startSession(tx, { examId }));
    await addFile(store, dir, sessionId, 10); // sends the session to central
    await new Uploader({ store, channel: central.channel, token }).syncOnce();
    const id = randomUUID();
    const t = token() ?? '';
    await central.channel.blobBegin(t, {
      id,
      sessionId,
      kind: 'other',
      sha256: 'b'.repeat(64),
      size: 100,
      contentType: 'application/octet-stream',
    });
    const big = Buffer.alloc(5000, 1);
    const { createHash } = await import('node:crypto');
    await expect(
      central.channel.blobChunk(t, id, 0, big, createHash('sha256').update(big).digest('hex')),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await store.close();
  });

  it('refuses a malformed storageQuota when the exam is saved', async () => {
    await expect(
      central.createExam('bad quota', { storageQuota: { sessionBytes: -1 } }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      details: { field: 'policy.storageQuota' },
    });
  });
});
