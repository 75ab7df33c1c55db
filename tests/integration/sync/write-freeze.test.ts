// A finished session is fixed against its device (issue 18 item 2). The device here is modified: the
// test calls the ingest functions directly with the device's own token, as an edited app or a
// script with the token from the candidate's disk would. After the finish, rewriting an answer, the
// evaluation, the risk or the status is refused with a reason; items written offline before the
// finish still arrive; after a proctor's decision nothing of the device is taken. Every refusal is
// listed for the proctor under the session.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestItem } from '../../../src-main/central/device-channel';
import { ReviewService } from '../../../src-main/review/review-service';
import { startCentral, type CentralFixture } from '../../support/central';
import { chainedEvents, sessionStart, warningItem } from '../../support/items';

let central: CentralFixture;
beforeAll(async () => {
  central = await startCentral();
}, 60_000);
afterAll(async () => central?.close());

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function question(sessionId: string, id: string, answerText: string, version: string): IngestItem {
  return {
    key: `question:${id}:${version}`,
    kind: 'question',
    payload: {
      id,
      sessionId,
      ordinal: 1,
      text: 'Why this role?',
      timeLimitS: 120,
      askedAt: minutesAgo(19),
      answeredAt: minutesAgo(18),
      answerText,
      answerAudioSha256: null,
    },
  };
}

function evaluation(sessionId: string, id: string, overall: number, version: string): IngestItem {
  return {
    key: `evaluation:${id}:${version}`,
    kind: 'evaluation',
    payload: {
      id,
      sessionId,
      professionalism: overall,
      subjectKnowledge: overall,
      clarity: overall,
      overall,
      feedback: 'device feedback',
      evaluator: 'local',
    },
  };
}

const lateWarning = (sessionId: string, startedAt: string): IngestItem => {
  const item = warningItem(sessionId, 'looking_away');
  return { ...item, payload: { ...(item.payload as Record<string, unknown>), startedAt } };
};

describe('write-freeze of a finished session', () => {
  it('refuses rewrites after the finish, takes offline items from before it, and nothing after a decision', async () => {
    // A practice exam evaluated on the device, so that the device may file an evaluation at all
    // (a server-evaluated exam refuses every device evaluation: evaluation-policy.test.ts).
    const practice = await central.createExam('Practice');
    await central.owner.query(
      `UPDATE vigil.exams SET policy = '{"practice": true, "evaluation": "device"}' WHERE id = $1`,
      [practice],
    );
    const { token, examId } = await central.enroll(practice);
    const sessionId = randomUUID();
    const questionId = randomUUID();
    const evaluationId = randomUUID();
    const chain = chainedEvents(sessionId, 3);
    const send = async (items: IngestItem[]) => central.channel.ingest(token, items);
    const start = { ...sessionStart(sessionId), payload: { id: sessionId, startedAt: minutesAgo(20) } };
    await send([start, chain.items[0]!, question(sessionId, questionId, 'honest answer', 'v1')]);
    const finish: IngestItem = {
      key: `session.update:${sessionId}:finished`,
      kind: 'session.update',
      payload: { id: sessionId, status: 'completed', endedAt: minutesAgo(10) },
    };
    expect((await send([finish]))[0]!.status).toBe('applied');
    // The device evaluates after the finish: its first evaluation is filed.
    expect((await send([evaluation(sessionId, evaluationId, 40, 'v1')]))[0]!.status).toBe('applied');

    const after = await send([
      question(sessionId, questionId, 'a much better answer', 'v2'),
      evaluation(sessionId, evaluationId, 100, 'v2'),
      {
        key: `session.update:${sessionId}:reopen`,
        kind: 'session.update',
        payload: { id: sessionId, status: 'in_progress' },
      },
      {
        key: `session.update:${sessionId}:risk`,
        kind: 'session.update',
        payload: { id: sessionId, riskScore: 0 },
      },
      lateWarning(sessionId, minutesAgo(12)), // written offline before the finish: taken
      lateWarning(sessionId, minutesAgo(5)), // after the session's end: refused
      chain.items[1]!, // the chain keeps arriving
    ]);
    expect(after.map((r) => r.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'applied',
      'rejected',
      'applied',
    ]);
    expect(after[0]!.reason).toMatch(/is finished; its answers are fixed/);
    expect(after[1]!.reason).toMatch(/is finished; its evaluation is fixed/);
    expect(after[2]!.reason).toMatch(/is finished; its status and end are fixed/);
    expect(after[3]!.reason).toMatch(/is finished; its risk is fixed/);
    expect(after[5]!.reason).toMatch(/is finished; a warning after its end/);

    const [stored] = await central.owner.query<{ answer_text: string; overall: number; status: string }>(
      `SELECT q.answer_text, e.overall, s.status FROM vigil.sessions s
       JOIN vigil.questions q ON q.session_id = s.id JOIN vigil.evaluations e ON e.session_id = s.id
       WHERE s.id = $1`,
      [sessionId],
    );
    expect(stored).toEqual({ answer_text: 'honest answer', overall: 40, status: 'completed' });

    // A proctor decides; from then on the device changes nothing, not even with an offline item.
    const proctor = await central.createProctor(`proctor_${randomUUID().slice(0, 8)}`, [examId]);
    const review = new ReviewService(proctor.store.query);
    await review.decide({ sessionId, decision: 'cleared', note: 'looked fine' });
    const decided = await send([lateWarning(sessionId, minutesAgo(15)), chain.items[2]!]);
    expect(decided.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(decided[0]!.reason).toMatch(/has a proctor decision; the device can no longer change it/);

    // The proctor sees every refusal, with its reason, under the session.
    const loaded = await review.load(sessionId);
    expect(loaded.refusedDeviceWrites.map((r) => r.kind)).toEqual([
      'question',
      'evaluation',
      'session.update',
      'session.update',
      'warning',
      'warning',
      'event',
    ]);
    expect(loaded.refusedDeviceWrites[0]!.reason).toMatch(/its answers are fixed/);
  });

  it('leaves a session in progress open to its device', async () => {
    const { token } = await central.enroll();
    const sessionId = randomUUID();
    const questionId = randomUUID();
    const receipts = await central.channel.ingest(token, [
      sessionStart(sessionId),
      question(sessionId, questionId, 'draft one', 'v1'),
      question(sessionId, questionId, 'final answer', 'v2'),
    ]);
    expect(receipts.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
  });
});
