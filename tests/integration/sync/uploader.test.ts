// Local store → uploader → real PostgreSQL: enrollment and offline exam cache, ordered batches with
// receipts, rejected items surfaced without blocking, chain verdicts, status events, backoff while
// the server is unreachable, and chunked blob upload that resumes from the server's offset.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../../src-main/central/connect';
import { sqlDeviceChannel, type DeviceChannel } from '../../../src-main/central/device-channel';
import { VigilError } from '../../../src-main/errors';
import { hashFile } from '../../../src-main/store/blob-uploads';
import { appendEvent } from '../../../src-main/store/event-chain';
import { enqueue, outboxCounts } from '../../../src-main/store/outbox';
import { addSnapshot, finishSession, recordWarning, startSession } from '../../../src-main/store/sessions';
import { enrolledCandidateName, enrolledExam } from '../../../src-main/sync/enroll';
import { Uploader, type SyncStatus } from '../../../src-main/sync/uploader';
import { enrollLocalDevice, startCentral, type CentralFixture } from '../../support/central';
import { makeTempDir } from '../../support/temp-dir';
import { explainedRisk } from '../../support/risk';

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
  const enrolled = await enrollLocalDevice(central, {
    dir,
    examId,
    label: name,
    displayName: `Zoë Ångström-Łukasiewicz (${name})`,
  });
  return { ...enrolled, dir };
}

function writeFile(dir: string, name: string, bytes: number): string {
  const file = path.join(dir, name);
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, Math.min(i, bytes - 4));
  fs.writeFileSync(file, data);
  return file;
}

describe('uploader against PostgreSQL', () => {
  it('enrolls, keeps the token in a 0600 file, and caches the exam for offline use', async () => {
    const { store, device, exam, dir } = await enrolledStore('enroll');
    expect(fs.statSync(path.join(dir, 'device-token')).mode & 0o777).toBe(0o600);
    expect(enrolledExam(store)).toMatchObject({
      device: { deviceId: device.deviceId },
      exam: { id: exam.id, type: 'SKL' },
    });
    // Reports made on the device name the candidate as the server knows them.
    expect(enrolledCandidateName(store)).toBe('Zoë Ångström-Łukasiewicz (enroll)');
    // Offline: a session starts from the cache while no server answers.
    const offline = sqlDeviceChannel(
      openPostgres({ url: 'postgres://x:y@127.0.0.1:1/none', sslMode: 'disable' }).query,
    );
    const sessionId = store.write('start', (tx) => startSession(tx, { examId: enrolledExam(store).exam.id }));
    const uploader = new Uploader({ store, channel: offline, token: () => 'a'.repeat(64) });
    await expect(uploader.syncOnce()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(outboxCounts(store).pendingItems).toBe(2);
    expect(sessionId).toBeTruthy();
    await store.close();
  });

  it('sends everything in order once, surfaces a rejected item without blocking, and reports status', async () => {
    // A practice exam evaluated on the device: central files the device's risk (for an exam that
    // counts it refuses it, evaluation-policy.test.ts).
    const { store, device, dir, token } = await enrolledStore('flow', {
      practice: true,
      evaluation: 'device',
    });
    const snapshot = writeFile(dir, 'snap.jpg', 3000);
    const { sha256, size } = await hashFile(snapshot);
    const sessionId = store.write('start', (tx) => startSession(tx, { examId: device.examId }));
    store.write('evidence', (tx) => {
      const warningId = recordWarning(tx, {
        sessionId,
        type: 'looking_away',
        severity: 'medium',
        startedAt: new Date().toISOString(),
      });
      addSnapshot(tx, { sessionId, warningId, path: snapshot, sha256, bytes: size, deleteAfterUpload: true });
      enqueue(tx, {
        kind: 'warning',
        idempotencyKey: 'bad-warning',
        payload: {
          id: randomUUID(),
          sessionId,
          type: 'x',
          severity: 'apocalyptic',
          startedAt: new Date().toISOString(),
        },
      });
      for (let i = 0; i < 30; i++) appendEvent(tx, { sessionId, kind: 'gaze', data: { i } });
      finishSession(tx, { sessionId, status: 'completed', risk: explainedRisk(42, randomUUID()) });
    });
    const statuses: SyncStatus[] = [];
    const uploader = new Uploader({
      store,
      channel: central.channel,
      token,
      batchSize: 7,
      onStatus: (s) => statuses.push(s),
    });
    const round = await uploader.syncOnce();
    expect(round).toMatchObject({ rejected: 1, duplicates: 0, blobs: 1 });
    expect(round.applied).toBe(round.sent - 1);
    const status = uploader.status();
    expect(status).toMatchObject({
      state: 'idle',
      pendingItems: 0,
      pendingBlobs: 0,
      rejectedItems: 1,
      lastError: null,
    });
    expect(status.rejected[0]).toMatchObject({ key: 'bad-warning', kind: 'warning' });
    expect(status.rejected[0]?.reason).toMatch(/check constraint/);
    expect(status.lastSuccessAt).not.toBeNull();
    expect(statuses.length).toBeGreaterThan(3);
    expect(statuses.map((s) => s.pendingItems)).toEqual(
      [...statuses.map((s) => s.pendingItems)].sort((a, b) => b - a),
    );

    const local = store.first(
      store.q.selectFrom('sessions').select(['chain_seq', 'chain_head']).where('id', '=', sessionId),
    );
    const server = await central.owner.db
      .selectFrom('vigil.sessions')
      .selectAll()
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(server).toMatchObject({
      status: 'completed',
      risk_score: '42.00',
      // Filed from the chain's session_finished event, with the factors that make the score.
      risk_factors: { score: 42, factors: [expect.objectContaining({ points: 42 })] },
      evidence_verdict: 'intact',
      chain_seq: local?.chain_seq,
    });
    expect(server.chain_head.equals(Buffer.from(local!.chain_head))).toBe(true);
    const events = await central.owner.db
      .selectFrom('vigil.events')
      .select('seq')
      .where('session_id', '=', sessionId)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: local!.chain_seq }, (_, i) => i + 1));
    const blob = await central.owner.db
      .selectFrom('vigil.blobs')
      .selectAll()
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(blob).toMatchObject({ status: 'complete', size: String(size) });
    expect(blob.sha256.toString('hex')).toBe(sha256);
    const warning = await central.owner.db
      .selectFrom('vigil.warnings')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('source', '=', 'device')
      .executeTakeFirstOrThrow();
    expect(warning.snapshot_sha256?.toString('hex')).toBe(sha256);
    // Receipt committed, retention allowed deletion: the local file is gone.
    expect(fs.existsSync(snapshot)).toBe(false);
    // A second round sends nothing.
    expect(await uploader.syncOnce()).toMatchObject({ sent: 0, blobs: 0 });
    await store.close();
  });

  it('a missing event makes the server record a gap verdict and raise a flag', async () => {
    const { store, device, token } = await enrolledStore('gap');
    const sessionId = store.write('start', (tx) => startSession(tx, { examId: device.examId }));
    store.write('events', (tx) => {
      for (let i = 0; i < 4; i++) appendEvent(tx, { sessionId, kind: 'gaze', data: { i } });
    });
    store.raw.prepare(`DELETE FROM outbox WHERE idempotency_key = ?`).run(`event:${sessionId}:3`);
    store.write('finish', (tx) => finishSession(tx, { sessionId, status: 'completed' }));
    await new Uploader({ store, channel: central.channel, token }).syncOnce();
    const server = await central.owner.db
      .selectFrom('vigil.sessions')
      .select(['evidence_verdict', 'chain_seq'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(server).toEqual({ evidence_verdict: 'gap', chain_seq: 2 });
    const flags = await central.owner.db
      .selectFrom('vigil.warnings')
      .select(['type', 'severity', 'source'])
      .where('session_id', '=', sessionId)
      .where('type', '!=', 'unknown_app_build') // this bare session reports no app build (migration 0201)
      .execute();
    expect(flags).toEqual([{ type: 'evidence_chain', severity: 'high', source: 'server' }]);
    await store.close();
  });

  it('backs off while the server is down, then delivers when it answers', async () => {
    const { store, device, token } = await enrolledStore('backoff');
    store.write('start', (tx) => startSession(tx, { examId: device.examId }));
    let failuresLeft = 3;
    const flaky: DeviceChannel = {
      ...central.channel,
      ingest: async (t, items) => {
        if (failuresLeft-- > 0) throw new VigilError('UNAVAILABLE', 'server down (test)');
        return central.channel.ingest(t, items);
      },
    };
    const states: SyncStatus['state'][] = [];
    let resolveIdle!: () => void;
    const idle = new Promise<void>((r) => (resolveIdle = r));
    const uploader = new Uploader({
      store,
      channel: flaky,
      token,
      backoff: { baseMs: 5, maxMs: 20 },
      idleMs: 10_000,
      onStatus: (s) => {
        states.push(s.state);
        if (s.state === 'idle' && s.pendingItems === 0) resolveIdle();
      },
    });
    uploader.start();
    await idle;
    await uploader.stop();
    expect(states.filter((s) => s === 'offline')).toHaveLength(3);
    expect(states.at(-1)).toBe('idle');
    expect(uploader.status()).toMatchObject({ pendingItems: 0, lastError: null });
    await store.close();
  });

  it('uploads a blob in 1 MiB chunks and resumes from the server offset after an interruption', async () => {
    const { store, device, dir, token } = await enrolledStore('resume');
    const video = writeFile(dir, 'video.webm', 5 * 1024 * 1024 + 123);
    const { sha256, size } = await hashFile(video);
    const sessionId = store.write('start', (tx) => startSession(tx, { examId: device.examId }));
    const { registerBlob } = await import('../../../src-main/store/blob-uploads');
    store.write('register', (tx) =>
      registerBlob(tx, {
        id: randomUUID(),
        sessionId,
        kind: 'video',
        path: video,
        sha256,
        size,
        contentType: 'video/webm',
        deleteAfterUpload: false,
      }),
    );
    let chunks = 0;
    const begins: number[] = [];
    const dropping: DeviceChannel = {
      ...central.channel,
      blobBegin: async (t, meta) => {
        const r = await central.channel.blobBegin(t, meta);
        begins.push(r.offset);
        return r;
      },
      blobChunk: async (...args) => {
        if (++chunks === 3) throw new VigilError('UNAVAILABLE', 'connection dropped (test)');
        return central.channel.blobChunk(...args);
      },
    };
    const uploader = new Uploader({ store, channel: dropping, token });
    await expect(uploader.syncOnce()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(uploader.status().pendingBlobs).toBe(1);
    await uploader.syncOnce();
    expect(begins).toEqual([0, 2 * 1024 * 1024]);
    const blob = await central.owner.db
      .selectFrom('vigil.blobs')
      .selectAll()
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(blob).toMatchObject({ status: 'complete', received: String(size) });
    const chunkRows = await central.owner.db
      .selectFrom('vigil.blob_chunks')
      .select('offset')
      .where('blob_id', '=', blob.id)
      .execute();
    expect(chunkRows).toHaveLength(6);
    expect(fs.existsSync(video)).toBe(true); // retention keeps this one
    const row = store.first(
      store.q.selectFrom('blob_uploads').select(['status', 'receipt']).where('id', '=', blob.id),
    );
    expect(row?.status).toBe('done');
    expect(JSON.parse(row?.receipt ?? '{}')).toMatchObject({ sha256, size });
    await store.close();
  });
});
