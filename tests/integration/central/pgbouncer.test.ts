// PgBouncer in transaction-pooling mode in front of PostgreSQL is a supported deployment. The real
// device path goes through a real PgBouncer (pool_mode = transaction, logins by auth_query): code
// redemption, events in batches with receipts, a snapshot and a recording in chunks, a lost answer
// retried without a duplicate row. `vigil doctor` tells a pooler from PostgreSQL itself. And 1,000
// devices, each with its own connection, share a server pool of 10 without an error or a lost row
// (the CI version of the devices benchmark, tests/bench/devices.bench.ts).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceChannel } from '../../../src-main/central/device-channel';
import { poolerCheck } from '../../../src-main/doctor/checks/pooler';
import { VigilError } from '../../../src-main/errors';
import { hashFile, registerBlob } from '../../../src-main/store/blob-uploads';
import { appendEvent } from '../../../src-main/store/event-chain';
import { outboxCounts } from '../../../src-main/store/outbox';
import { addSnapshot, finishSession, recordWarning, startSession } from '../../../src-main/store/sessions';
import { Uploader } from '../../../src-main/sync/uploader';
import { DEVICE_LOGIN, enrollLocalDevice, startCentral, type CentralFixture } from '../../support/central';
import { enrollMany, runDeviceLoad } from '../../support/device-load';
import { makeTempDir } from '../../support/temp-dir';

const POOL = 10;
const DEVICES = 1000;
let central: CentralFixture;
const temp = makeTempDir('vigil-pgbouncer-');

beforeAll(async () => {
  central = await startCentral({ pooler: { poolSize: POOL, maxClientConn: DEVICES + 200 } });
}, 60_000);
afterAll(async () => {
  await central?.close();
  temp.cleanup();
});

function writeFile(file: string, bytes: number): string {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i + 4 <= bytes; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
  fs.writeFileSync(file, data);
  return file;
}

async function deviceBackends(): Promise<number> {
  const [row] = await central.owner.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1`,
    [DEVICE_LOGIN],
  );
  return row?.n ?? 0;
}

describe('PgBouncer (pool_mode = transaction) in front of PostgreSQL', () => {
  it('carries the whole device sync: enrollment, events, snapshot, recording in chunks, each row once', async () => {
    const examId = await central.createExam('Through the pooler');
    const dir = path.join(temp.dir, 'device');
    // Enrollment redeems its code through the pooler (central.channel is the pooled device login).
    const { store, device, token, exam } = await enrollLocalDevice(central, { dir, examId, label: 'pooled' });
    // The sealed exam came with enrollment; its key is released through the pooler too.
    expect(exam.id).toBe(examId);
    const released = await central.channel.releaseExamKey(token()!, examId);
    expect(released.key.length).toBe(32);
    const snapshot = writeFile(path.join(dir, 'snap.jpg'), 40_000);
    const snap = await hashFile(snapshot);
    const video = writeFile(path.join(dir, 'video.webm'), 3 * 1024 * 1024 + 4321);
    const recording = await hashFile(video);
    const sessionId = store.write('start', (tx) => startSession(tx, { examId: device.examId }));
    store.write('evidence', (tx) => {
      const warningId = recordWarning(tx, {
        sessionId,
        type: 'looking_away',
        severity: 'medium',
        startedAt: new Date().toISOString(),
      });
      addSnapshot(tx, {
        sessionId,
        warningId,
        path: snapshot,
        ...snap,
        bytes: snap.size,
        deleteAfterUpload: true,
      });
      for (let i = 0; i < 40; i++) appendEvent(tx, { sessionId, kind: 'gaze', data: { i } });
      registerBlob(tx, {
        id: randomUUID(),
        sessionId,
        kind: 'video',
        path: video,
        sha256: recording.sha256,
        size: recording.size,
        contentType: 'video/webm',
        deleteAfterUpload: false,
      });
      finishSession(tx, { sessionId, status: 'completed' });
    });
    const pending = outboxCounts(store).pendingItems;

    // The answers of the second batch and of the second chunk are lost on the way back (the server
    // did the work): the device sends both again and the server must not store anything twice.
    let batches = 0;
    let chunks = 0;
    const lossy: DeviceChannel = {
      ...central.channel,
      ingest: async (t, items) => {
        const receipts = await central.channel.ingest(t, items);
        if (++batches === 2) throw new VigilError('UNAVAILABLE', 'answer lost (test)');
        return receipts;
      },
      blobChunk: async (...args) => {
        const answer = await central.channel.blobChunk(...args);
        if (++chunks === 2) throw new VigilError('UNAVAILABLE', 'answer lost (test)');
        return answer;
      },
    };
    const uploader = new Uploader({ store, channel: lossy, token, batchSize: 10 });
    await expect(uploader.syncOnce()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    let round = await uploader.syncOnce().catch(() => uploader.syncOnce());
    if (uploader.status().pendingBlobs > 0) round = await uploader.syncOnce();
    expect(uploader.status()).toMatchObject({ pendingItems: 0, pendingBlobs: 0, rejectedItems: 0 });
    expect(round.rejected).toBe(0);
    expect(batches).toBeGreaterThan(pending / 10);

    const server = await central.owner.db
      .selectFrom('vigil.sessions')
      .select(['status', 'chain_seq', 'evidence_verdict'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    // 40 gaze events plus the warning's and finish's chained events, each stored once, chain intact.
    expect(server).toMatchObject({ status: 'completed', evidence_verdict: 'intact' });
    const [events] = await central.owner.query<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT seq)::int AS distinct FROM vigil.events WHERE session_id = $1`,
      [sessionId],
    );
    expect(events?.n).toBe(server.chain_seq);
    expect(events?.distinct).toBe(server.chain_seq);
    expect(events?.n).toBeGreaterThanOrEqual(40);
    const warnings = await central.owner.query<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM vigil.warnings WHERE session_id = $1 GROUP BY type ORDER BY type`,
      [sessionId],
    );
    expect(warnings).toContainEqual({ type: 'looking_away', n: 1 });
    const blobs = await central.owner.query<{ kind: string; status: string; size: string; chunks: number }>(
      `SELECT b.kind, b.status, b.size::text AS size,
              (SELECT count(*)::int FROM vigil.blob_chunks c WHERE c.blob_id = b.id) AS chunks
       FROM vigil.blobs b WHERE b.session_id = $1 ORDER BY b.kind`,
      [sessionId],
    );
    expect(blobs).toEqual([
      { kind: 'snapshot', status: 'complete', size: String(snap.size), chunks: 1 },
      // 1 MiB chunks: 3 full and the rest; the chunk whose answer was lost is there once.
      { kind: 'video', status: 'complete', size: String(recording.size), chunks: 4 },
    ]);
    // The device holds the server's receipts; the snapshot file went once it was receipted.
    const receipts = store.all(store.q.selectFrom('blob_uploads').select(['status', 'receipt']));
    expect(receipts.map((r) => r.status)).toEqual(['done', 'done']);
    expect(fs.existsSync(snapshot)).toBe(false);
    // Everything above ran on at most the pool's server connections.
    expect(await deviceBackends()).toBeLessThanOrEqual(POOL);
    await store.close();
  });

  it('doctor reports the pooler in the path, and none when connected to PostgreSQL directly', async () => {
    const central_ = { sslMode: 'disable' as const };
    const pooled = await poolerCheck({ ...central_, url: central.pooler!.urlFor(DEVICE_LOGIN) });
    expect(pooled).toMatchObject({ id: 'pooler', status: 'ok', details: { pooler: true } });
    expect(pooled.summary).toMatch(/a connection pooler answers at 127\.0\.0\.1:\d+ .*Supported/);
    const direct = await poolerCheck({ ...central_, url: central.pg.urlFor(DEVICE_LOGIN) });
    expect(direct).toMatchObject({ status: 'ok', details: { pooler: false } });
    expect(direct.summary).toMatch(/^no pooler: 127\.0\.0\.1:\d+ is PostgreSQL itself/);
    const refused = await poolerCheck({ ...central_, url: central.pooler!.urlFor(DEVICE_LOGIN, 'wrong') });
    expect(refused.status).toBe('warn');
    expect(refused.summary).toMatch(/could not log in .* to tell whether a pooler is in the path/);
  });

  it('enrollment behind the pooler: mistyped codes of a few devices do not refuse everyone once the pooler is named', async () => {
    // Every device reaches PostgreSQL from the pooler's address: 30 refused codes from anywhere
    // exhaust the allowance per network address, and the next honest device is refused with them.
    for (let i = 0; i < 30; i++)
      await expect(central.channel.redeem(`TYPO${String(i).padStart(8, '0')}`, 'typo')).rejects.toMatchObject(
        {
          details: { reason: 'refused' },
        },
      );
    await expect(central.enroll()).rejects.toMatchObject({ details: { reason: 'throttled' } });
    // Naming the pooler (0505): its devices share a pooler's allowance, and the honest one enrolls.
    await central.owner.query(`UPDATE vigil.central_settings SET enroll_pooler_addresses = '{127.0.0.1/32}'`);
    const honest = await central.enroll();
    expect(honest.token).toMatch(/^[0-9a-f]{64}$/);
    // The pooler's allowance is still a limit.
    await central.owner.query(`UPDATE vigil.central_settings SET enroll_max_failures_per_pooler = 31`);
    await expect(central.channel.redeem('TYPO99999999', 'typo')).rejects.toMatchObject({
      details: { reason: 'refused' },
    });
    await expect(central.enroll()).rejects.toMatchObject({ details: { reason: 'throttled' } });
    await central.owner.query(`UPDATE vigil.central_settings SET enroll_max_failures_per_pooler = DEFAULT`);
    await central.owner.query(`DELETE FROM vigil.enrollment_attempts`);
  });

  it(`${DEVICES} devices, each with its own connection, share ${POOL} server connections: no error, no lost row`, async () => {
    const tokens = await enrollMany(central, DEVICES, 'ci');
    const result = await runDeviceLoad(central, tokens, {
      devices: DEVICES,
      label: 'ci',
      arrivalWindowMs: 20_000,
      recordingChunks: 2,
      chunkBytes: 64 * 1024,
      chunkIntervalMs: 8_000,
      perDeviceConnection: { url: central.pooler!.urlFor(DEVICE_LOGIN) },
    });
    expect(result.firstError).toBeUndefined();
    expect(result).toMatchObject({
      errors: 0,
      lostRows: 0,
      logins: DEVICES,
      ingestCalls: DEVICES,
      eventsStored: DEVICES * 20,
      blobsComplete: DEVICES * 2,
    });
    // A thousand clients that keep their connections, never more server backends than the pool:
    // only transaction pooling can do that (session pooling would hold one per client and time out).
    expect(result.peakDeviceBackends).toBeGreaterThan(0);
    expect(result.peakDeviceBackends).toBeLessThanOrEqual(POOL);
    // The benchmark holds p99 <= 200 ms; on a loaded CI machine only a clear regression fails.
    expect(result.ingestP99Ms).toBeLessThan(2_000);
  }, 90_000);
});
