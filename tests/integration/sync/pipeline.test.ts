// The uploader overlaps local work with the server's (records batch N-1's receipts and reads
// batch N+1 while N is in flight). These pin what that must not change: one call in flight at a
// time, every row sent once and in order, receipts of answered batches recorded even when a later
// call fails, and the failed batch kept with its attempt counted.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceChannel, IngestItem } from '../../../src-main/central/device-channel';
import { VigilError } from '../../../src-main/errors';
import { appendEvent } from '../../../src-main/store/event-chain';
import { openLocalStore } from '../../../src-main/store/local-store';
import { outboxCounts } from '../../../src-main/store/outbox';
import { startSession } from '../../../src-main/store/sessions';
import { Uploader } from '../../../src-main/sync/uploader';
import { startCentral, type CentralFixture } from '../../support/central';
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

describe('uploader pipeline', () => {
  it('sends batches one at a time and in order; a failed call keeps its batch and the earlier receipts', async () => {
    const device = await central.enroll();
    const dir = path.join(temp.dir, 'pipeline');
    fs.mkdirSync(dir);
    const store = await openLocalStore(path.join(dir, 'vigil.db'));
    const sessionId = store.write('start', (tx) => startSession(tx, { examId: device.examId }));
    store.write('events', (tx) => {
      for (let i = 0; i < 11; i++) appendEvent(tx, { sessionId, kind: 'gaze', data: { i } });
    });
    const order = store
      .all(store.q.selectFrom('outbox').select('idempotency_key').orderBy('id'))
      .map((r) => r.idempotency_key);
    expect(order.length).toBeGreaterThan(9);
    const sent: string[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let failCall = 3;
    const channel: DeviceChannel = {
      ...central.channel,
      ingest: async (token: string, items: IngestItem[]) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          await new Promise((r) => setTimeout(r, 5));
          if (sent.length + 1 === failCall) {
            failCall = 0;
            sent.push([]);
            throw new VigilError('UNAVAILABLE', 'server down (test)');
          }
          sent.push(items.map((i) => i.key));
          return await central.channel.ingest(token, items);
        } finally {
          inFlight--;
        }
      },
    };
    const uploader = new Uploader({ store, channel, token: () => device.token, batchSize: 3 });
    await expect(uploader.syncOnce()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    // Calls 1 and 2 were answered: their six rows are gone; call 3 failed: the rest remain.
    const left = store.all(
      store.q.selectFrom('outbox').select(['attempts', 'idempotency_key']).orderBy('id'),
    );
    expect(left.map((r) => r.idempotency_key)).toEqual(order.slice(6));
    expect(left.map((r) => r.attempts)).toEqual(order.slice(6).map((_, i) => (i < 3 ? 1 : 0)));

    const round = await uploader.syncOnce();
    expect(round).toMatchObject({ applied: order.length - 6, duplicates: 0, rejected: 0 });
    expect(maxInFlight).toBe(1);
    expect(sent.flat()).toEqual(order);
    expect(outboxCounts(store).pendingItems).toBe(0);
    await store.close();
  });
});
