// Sync under faults, against a real PostgreSQL: the server stopped in the middle of a sync and
// started again (every row arrives exactly once), duplicated and reordered deliveries (one row per
// idempotency key, chain verdict still right), and corrupted or misplaced chunks (refused, resent,
// final hash correct).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceChannel } from '../../src-main/central/device-channel';
import type { VigilError } from '../../src-main/errors';
import { hashFile, registerBlob } from '../../src-main/store/blob-uploads';
import { appendEvent } from '../../src-main/store/event-chain';
import { openLocalStore } from '../../src-main/store/local-store';
import { outboxCounts } from '../../src-main/store/outbox';
import { recordWarning, startSession } from '../../src-main/store/sessions';
import { Uploader, type SyncStatus } from '../../src-main/sync/uploader';
import { enrollLocalDevice, startCentral, type CentralFixture } from '../support/central';
import { chainedEvents, sessionStart, sha256Hex } from '../support/items';
import { makeTempDir } from '../support/temp-dir';

let central: CentralFixture;
const temp = makeTempDir();
beforeAll(async () => {
  central = await startCentral();
});
afterAll(async () => {
  await central?.close();
  temp.cleanup();
});

async function countRows(table: string, sessionId: string): Promise<number> {
  const rows = await central.owner.query<{ n: string }>(
    `SELECT count(*) AS n FROM vigil.${table} WHERE session_id = $1`,
    [sessionId],
  );
  return Number(rows[0]?.n);
}

describe('sync faults', () => {
  it('PostgreSQL stopped mid-sync and started again: every row arrives exactly once', async () => {
    const examId = await central.createExam('restart');
    const dir = path.join(temp.dir, 'restart');
    const { store, vault, candidateId } = await enrollLocalDevice(central, { dir, examId, label: 'restart' });
    const sessionId = store.write('start', (tx) => startSession(tx, { examId }));
    store.write('events', (tx) => {
      for (let i = 0; i < 600; i++) {
        appendEvent(tx, { sessionId, kind: 'gaze', data: { i } });
        if (i % 100 === 0)
          recordWarning(tx, {
            sessionId,
            type: 'looking_away',
            severity: 'low',
            startedAt: new Date().toISOString(),
          });
      }
    });
    const total = outboxCounts(store).pendingItems;
    let paused = false;
    let sawOffline = false;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const uploader = new Uploader({
      store,
      channel: central.channel,
      token: () => vault.load(),
      batchSize: 50,
      backoff: { baseMs: 20, maxMs: 200 },
      idleMs: 60_000,
      onStatus: (s: SyncStatus) => {
        if (!paused && s.pendingItems < total - 100) {
          paused = true;
          // Stop the server while batches are in flight, then bring it back.
          void central.pg.pause().then(async () => {
            await new Promise((r) => setTimeout(r, 300));
            await central.pg.resume();
          });
        }
        if (s.state === 'offline') sawOffline = true;
        if (paused && s.state === 'idle' && s.pendingItems === 0) resolveDone();
      },
    });
    uploader.start();
    await done;
    await uploader.stop();
    expect(sawOffline).toBe(true);
    // 600 gaze events, session_started and one warning_started per warning.
    expect(await countRows('events', sessionId)).toBe(607);
    expect(await countRows('warnings', sessionId)).toBe(6);
    // Events are exactly-once by their (session, seq) key (the set-based path writes no receipt row);
    // every other item by its receipt row: one per key, never two.
    const receipts = await central.owner.query<{ n: string; distinct_keys: string }>(
      `SELECT count(*) AS n, count(DISTINCT idempotency_key) AS distinct_keys FROM vigil.ingest_receipts r
       JOIN vigil.devices d ON d.id = r.device_id WHERE d.candidate_id = $1 AND r.kind <> 'event'`,
      [candidateId],
    );
    expect(Number(receipts[0]?.n)).toBe(total - 607);
    expect(Number(receipts[0]?.distinct_keys)).toBe(total - 607);
    const session = await central.owner.db
      .selectFrom('vigil.sessions')
      .select(['chain_seq', 'evidence_verdict'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(session).toEqual({ chain_seq: 607, evidence_verdict: 'intact' });
    await store.close();
  });

  it('duplicated and reordered deliveries store one row per idempotency key', async () => {
    const device = await central.enroll();
    const sessionId = randomUUID();
    const { items } = chainedEvents(sessionId, 6);
    const [e1, e2, e3, e4, e5, e6] = items as [
      (typeof items)[0],
      (typeof items)[0],
      (typeof items)[0],
      (typeof items)[0],
      (typeof items)[0],
      (typeof items)[0],
    ];
    await central.channel.ingest(device.token, [sessionStart(sessionId)]);
    // Out of order: the chain waits ("incomplete") until the hole is filled.
    const first = await central.channel.ingest(device.token, [e3, e1, e5]);
    expect(first.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    let session = await central.owner.db
      .selectFrom('vigil.sessions')
      .select(['chain_seq', 'evidence_verdict'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(session).toEqual({ chain_seq: 1, evidence_verdict: 'incomplete' });
    // The same batch twice at once, plus duplicates of what already arrived.
    const batch = [e2, e4, e6, e1, e3];
    const [x, y] = await Promise.all([
      central.channel.ingest(device.token, batch),
      central.channel.ingest(device.token, batch),
    ]);
    const statuses = [...x, ...y].map((r) => r.status);
    expect(statuses.filter((s) => s === 'applied')).toHaveLength(3);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(7);
    expect(await countRows('events', sessionId)).toBe(6);
    session = await central.owner.db
      .selectFrom('vigil.sessions')
      .select(['chain_seq', 'evidence_verdict'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(session).toEqual({ chain_seq: 6, evidence_verdict: 'intact' });
    // A different event under an existing sequence number is an alteration, and is flagged.
    const forged = chainedEvents(sessionId, 1, 4).items[0]!;
    const altered = {
      ...forged,
      key: 'forged-4',
      payload: {
        ...(forged.payload as object),
        body: (forged.payload as { body: string }).body.replace('"gaze"', '"GAZE"'),
      },
    };
    expect((await central.channel.ingest(device.token, [altered]))[0]?.status).toBe('applied');
    session = await central.owner.db
      .selectFrom('vigil.sessions')
      .select(['chain_seq', 'evidence_verdict'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(session.evidence_verdict).toBe('altered');
    expect(await countRows('events', sessionId)).toBe(6);
    const flags = await central.owner.db
      .selectFrom('vigil.warnings')
      .select('type')
      .where('session_id', '=', sessionId)
      .where('source', '=', 'server')
      .execute();
    expect(flags).toEqual([{ type: 'evidence_chain' }]);
  });

  it('an event that does not link to its predecessor marks the session altered', async () => {
    const device = await central.enroll();
    const sessionId = randomUUID();
    const good = chainedEvents(sessionId, 2);
    // Event 3 is self-consistent but chained to a made-up predecessor.
    const forged = chainedEvents(sessionId, 1, 3, Buffer.alloc(32, 7)).items;
    const receipts = await central.channel.ingest(device.token, [
      sessionStart(sessionId),
      ...good.items,
      ...forged,
    ]);
    expect(receipts.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    const session = await central.owner.db
      .selectFrom('vigil.sessions')
      .select(['chain_seq', 'evidence_verdict'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(session).toEqual({ chain_seq: 2, evidence_verdict: 'altered' });
    const flags = await central.owner.db
      .selectFrom('vigil.warnings')
      .select('details')
      .where('session_id', '=', sessionId)
      .where('type', '=', 'evidence_chain')
      .execute();
    expect(flags).toHaveLength(1);
    expect(flags[0]?.details).toMatchObject({ seq: 3, verdict: 'altered' });
  });

  it('a corrupted chunk is refused and resent; a wrong offset is refused with the server offset; the final hash is right', async () => {
    const device = await central.enroll();
    const sessionId = randomUUID();
    await central.channel.ingest(device.token, [sessionStart(sessionId)]);
    const dir = path.join(temp.dir, 'chunks');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'id.png');
    const data = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    fs.writeFileSync(file, data);
    const { sha256, size } = await hashFile(file);

    // Direct refusals from the server.
    const probe = randomUUID();
    const small = Buffer.from('0123456789');
    await central.channel.blobBegin(device.token, {
      id: probe,
      sessionId,
      kind: 'other',
      sha256: sha256Hex(small),
      size: 10,
      contentType: 'text/plain',
    });
    const wrongOffset = await central.channel
      .blobChunk(device.token, probe, 5, small.subarray(5), sha256Hex(small.subarray(5)))
      .catch((e: unknown) => e);
    expect(wrongOffset).toMatchObject({ code: 'CONFLICT', details: { serverOffset: 0 } });
    const badChunk = await central.channel
      .blobChunk(device.token, probe, 0, Buffer.from('0123456780'), sha256Hex(small))
      .catch((e: unknown) => e);
    expect(badChunk).toMatchObject({ code: 'INTEGRITY' });
    const early = await central.channel.blobFinish(device.token, probe).catch((e: unknown) => e);
    expect(early).toMatchObject({ code: 'CONFLICT' });

    // Through the uploader: chunk 2 is corrupted in transit once, chunk 3 is first sent at a stale offset.
    const store = await openLocalStore(path.join(dir, 'vigil.db'));
    store.write('session', (tx) =>
      tx.run(
        tx.q
          .insertInto('sessions')
          .values({ id: sessionId, exam_id: device.examId, started_at: new Date().toISOString() }),
      ),
    );
    const blobId = randomUUID();
    store.write('register', (tx) =>
      registerBlob(tx, {
        id: blobId,
        sessionId,
        kind: 'id_image',
        path: file,
        sha256,
        size,
        contentType: 'image/png',
        deleteAfterUpload: true,
      }),
    );
    let call = 0;
    const errors: string[] = [];
    const faulty: DeviceChannel = {
      ...central.channel,
      blobChunk: async (token, id, offset, chunk, chunkSha) => {
        call++;
        try {
          if (call === 2) {
            const corrupted = Buffer.from(chunk);
            corrupted[100] = (corrupted[100] ?? 0) ^ 0xff;
            return await central.channel.blobChunk(token, id, offset, corrupted, chunkSha);
          }
          if (call === 4)
            return await central.channel.blobChunk(token, id, offset - 1024 * 1024, chunk, chunkSha);
          return await central.channel.blobChunk(token, id, offset, chunk, chunkSha);
        } catch (error) {
          errors.push((error as VigilError).code);
          throw error;
        }
      },
    };
    await new Uploader({ store, channel: faulty, token: () => device.token }).syncOnce();
    expect(errors).toEqual(['INTEGRITY', 'CONFLICT']);
    const blob = await central.owner.db
      .selectFrom('vigil.blobs')
      .selectAll()
      .where('id', '=', blobId)
      .executeTakeFirstOrThrow();
    expect(blob).toMatchObject({ status: 'complete', received: String(size) });
    expect(blob.sha256.toString('hex')).toBe(sha256);
    const stored = await central.owner.query<{ h: Buffer }>(
      `SELECT sha256(string_agg(data, ''::bytea ORDER BY "offset")) AS h FROM vigil.blob_chunks WHERE blob_id = $1`,
      [blobId],
    );
    expect(stored[0]?.h.toString('hex')).toBe(sha256);
    expect(fs.existsSync(file)).toBe(false); // receipt in hand and retention allowed it
    await store.close();
  });
});
