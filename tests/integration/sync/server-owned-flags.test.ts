// The server raises and owns its flags (issue 18 item 3): a modified device (the candidate edits
// its SQLite) that files its own low-severity `evidence_chain` warning before tampering with the
// chain no longer suppresses the server's high flag: the decoy is refused with a reason the device
// keeps, and the server's flag is raised as if the decoy had never been sent. Every warning type a
// device raises is still accepted; every type only the server raises is refused.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent } from '../../../src-main/store/event-chain';
import { rejectedItems } from '../../../src-main/store/outbox';
import { finishSession, recordWarning, startSession } from '../../../src-main/store/sessions';
import { Uploader } from '../../../src-main/sync/uploader';
import { serverWarningTypes, warningTypes } from '../../../src-preload/vocabulary';
import { enrollLocalDevice, startCentral, type CentralFixture } from '../../support/central';
import { sessionStart, warningItem } from '../../support/items';
import { makeTempDir } from '../../support/temp-dir';

let central: CentralFixture;
const temp = makeTempDir('vigil-server-flags-');

beforeAll(async () => {
  central = await startCentral();
}, 60_000);
afterAll(async () => {
  await central?.close();
  temp.cleanup();
});

describe('server-owned flags', () => {
  it('a decoy evidence_chain warning from the device does not hide the server’s flag', async () => {
    const examId = await central.createExam('Decoy exam');
    const { store, device, token } = await enrollLocalDevice(central, {
      dir: path.join(temp.dir, 'decoy'),
      examId,
      label: 'decoy',
    });
    const sessionId = store.write('start', (tx) => startSession(tx, { examId: device.examId }));
    store.write('decoy and events', (tx) => {
      // What an edited database sends: a warning of the server's type, low, "already flagged".
      recordWarning(tx, {
        sessionId,
        type: 'evidence_chain',
        severity: 'low',
        startedAt: new Date().toISOString(),
        details: { verdict: 'gap', detector: 'server' },
      });
      for (let i = 0; i < 4; i++) appendEvent(tx, { sessionId, kind: 'gaze', data: { i } });
    });
    // Then it removes an event it would rather the proctor did not see.
    const [missing] = store.raw
      .prepare(
        `SELECT idempotency_key AS key FROM outbox WHERE kind = 'event' ORDER BY id DESC LIMIT 1 OFFSET 1`,
      )
      .all() as { key: string }[];
    store.raw.prepare(`DELETE FROM outbox WHERE idempotency_key = ?`).run(missing!.key);
    store.write('finish', (tx) => finishSession(tx, { sessionId, status: 'completed' }));
    await new Uploader({ store, channel: central.channel, token }).syncOnce();

    const flags = await central.owner.db
      .selectFrom('vigil.warnings')
      .select(['type', 'severity', 'source'])
      .where('session_id', '=', sessionId)
      .where('type', '=', 'evidence_chain')
      .execute();
    expect(flags).toEqual([{ type: 'evidence_chain', severity: 'high', source: 'server' }]);
    const rejected = rejectedItems(store);
    expect(rejected.map((r) => r.kind)).toEqual(['warning']);
    expect(rejected[0]!.reason).toMatch(/evidence_chain is raised by the server only/);
    await store.close();
  });

  it('accepts every type a device raises and refuses every type only the server raises', async () => {
    const { token } = await central.enroll();
    const sessionId = randomUUID();
    const start = sessionStart(sessionId);
    const types = [...warningTypes, ...serverWarningTypes];
    const receipts = await central.channel.ingest(token, [
      start,
      ...types.map((type) => warningItem(sessionId, type)),
    ]);
    const status = Object.fromEntries(types.map((type, i) => [type, receipts[i + 1]!.status]));
    for (const type of warningTypes) expect(status[type], type).toBe('applied');
    for (const type of serverWarningTypes) expect(status[type], type).toBe('rejected');
  });
});
