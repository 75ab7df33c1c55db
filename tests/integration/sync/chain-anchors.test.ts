// Evidence anchored while online (issue 18 item 5): the uploader reports each open session's chain
// head, the server keeps every head with its own receive time, and the proctor's console tells a
// session anchored all along from one written offline. A chain rewritten behind a head the server
// has seen (events held back, then changed before upload) is flagged `altered`.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewService } from '../../../src-main/review/review-service';
import { appendEvent } from '../../../src-main/store/event-chain';
import { finishSession, startSession } from '../../../src-main/store/sessions';
import { Uploader } from '../../../src-main/sync/uploader';
import { enrollLocalDevice, startCentral, type CentralFixture } from '../../support/central';
import { chainedEvents, sessionStart } from '../../support/items';
import { makeTempDir } from '../../support/temp-dir';

let central: CentralFixture;
let review: ReviewService;
let examId: string;
const temp = makeTempDir('vigil-anchors-');

beforeAll(async () => {
  central = await startCentral();
  examId = await central.createExam('Anchored exam');
  const proctor = await central.createProctor(`proctor_${randomUUID().slice(0, 8)}`, [examId]);
  review = new ReviewService(proctor.store.query);
}, 60_000);
afterAll(async () => {
  await central?.close();
  temp.cleanup();
});

async function device(name: string) {
  return enrollLocalDevice(central, { dir: path.join(temp.dir, name), examId, label: name });
}

describe('chain anchors', () => {
  it('an online session is continuous and anchored; one written offline says so', async () => {
    const online = await device('online');
    const uploader = new Uploader({
      store: online.store,
      channel: central.channel,
      token: online.token,
      anchorEveryMs: 0,
    });
    const sessionId = online.store.write('start', (tx) => startSession(tx, { examId }));
    for (let round = 0; round < 3; round++) {
      online.store.write('events', (tx) => appendEvent(tx, { sessionId, kind: 'gaze', data: { round } }));
      await uploader.syncOnce();
    }
    online.store.write('finish', (tx) => finishSession(tx, { sessionId, status: 'completed' }));
    await uploader.syncOnce();
    const anchors = await central.owner.query<{ seq: number }>(
      `SELECT seq FROM vigil.chain_anchors WHERE session_id = $1 ORDER BY id`,
      [sessionId],
    );
    expect(anchors.map((a) => a.seq)).toEqual([2, 3, 4]); // session_started, then one event a round
    const loaded = await review.load(sessionId);
    expect(loaded.session.evidenceVerdict).toBe('intact');
    expect(loaded.session.anchoring).toMatchObject({ state: 'anchored', anchors: 3, offlineS: 0 });

    // The whole exam taken offline ten minutes ago, synced only after it finished.
    const offline = await device('offline');
    const startedAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const late = offline.store.write('start', (tx) => startSession(tx, { examId, startedAt }));
    offline.store.write('events', (tx) => appendEvent(tx, { sessionId: late, kind: 'gaze', data: {} }));
    offline.store.write('finish', (tx) => finishSession(tx, { sessionId: late, status: 'completed' }));
    await new Uploader({ store: offline.store, channel: central.channel, token: offline.token }).syncOnce();
    const written = await review.load(late);
    expect(written.session.anchoring).toMatchObject({ state: 'offline', anchors: 0 });
    expect(written.session.anchoring.offlineS).toBeGreaterThanOrEqual(590);
    await online.store.close();
    await offline.store.close();
  });

  it('flags a chain rewritten behind a head the server has seen', async () => {
    const { token } = await central.enroll(examId);
    const sessionId = randomUUID();
    const first = chainedEvents(sessionId, 3);
    const held = chainedEvents(sessionId, 2, 4, first.head);
    await central.channel.ingest(token, [sessionStart(sessionId), ...first.items]);
    // The device reports head 5 while it holds events 4 and 5 back…
    await central.channel.anchor(token, [{ sessionId, seq: 5, hash: held.head.toString('hex') }]);
    // …then uploads other events 4 and 5 that chain validly from event 3.
    const receipts = await central.channel.ingest(
      token,
      chainedEvents(sessionId, 2, 4, first.head, { data: { rewritten: true }, keySuffix: 'rewritten' }).items,
    );
    expect(receipts.map((r) => r.status)).toEqual(['applied', 'applied']);
    const [session] = await central.owner.query<{ evidence_verdict: string }>(
      `SELECT evidence_verdict FROM vigil.sessions WHERE id = $1`,
      [sessionId],
    );
    expect(session!.evidence_verdict).toBe('altered');
    const flags = await central.owner.query<{ problem: string; source: string }>(
      `SELECT details->>'problem' AS problem, source FROM vigil.warnings
       WHERE session_id = $1 AND type = 'evidence_chain'`,
      [sessionId],
    );
    expect(flags).toEqual([
      { problem: 'the chain was rewritten behind a head the server had seen', source: 'server' },
    ]);
  });

  it('keeps an honest chain intact when its events arrive after their head, and flags a head that goes back', async () => {
    const { token } = await central.enroll(examId);
    const sessionId = randomUUID();
    const first = chainedEvents(sessionId, 3);
    const rest = chainedEvents(sessionId, 2, 4, first.head);
    await central.channel.ingest(token, [sessionStart(sessionId), ...first.items]);
    await central.channel.anchor(token, [{ sessionId, seq: 5, hash: rest.head.toString('hex') }]);
    await central.channel.ingest(token, rest.items);
    const verdict = async () =>
      (
        await central.owner.query<{ evidence_verdict: string }>(
          `SELECT evidence_verdict FROM vigil.sessions WHERE id = $1`,
          [sessionId],
        )
      )[0]!.evidence_verdict;
    expect(await verdict()).toBe('intact');
    // A head behind the one already reported: the chain was cut back and rewritten.
    await central.channel.anchor(token, [{ sessionId, seq: 4, hash: first.head.toString('hex') }]);
    expect(await verdict()).toBe('altered');
  });

  it('skips a session the server does not hold yet and refuses a malformed head', async () => {
    const { token } = await central.enroll(examId);
    await expect(
      central.channel.anchor(token, [{ sessionId: randomUUID(), seq: 1, hash: 'ab'.repeat(32) }]),
    ).resolves.toEqual({ anchored: 0 });
    await expect(
      central.channel.anchor(token, [{ sessionId: randomUUID(), seq: 1, hash: 'zz' }]),
    ).rejects.toThrow(/a head needs a sessionId, a seq and a 32-byte hex hash/);
  });
});
