// Interview content reaches central exactly once: an enrolled device runs a session with two typed
// answers (one with drafts first), one spoken answer (no transcriber) and the local evaluator; the uploader sends the
// questions, the messages and the evaluation to a real PostgreSQL; a redelivery (receipts lost
// after the server committed) changes nothing; a re-evaluation replaces central's evaluation; the
// proctor's review shows the answers and the evaluation. A session that is not this device's own
// queues nothing.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateNow } from '../../../src-main/session/after-session-jobs';
import { insertEvaluation } from '../../../src-main/evaluation/evaluation-store';
import { LocalEvaluator } from '../../../src-main/evaluation/local-evaluator';
import { messageUuid } from '../../../src-main/interview/content-outbox';
import { InterviewSessionFlow } from '../../../src-main/interview/session-flow';
import { InterviewRepository } from '../../../src-main/interview/session-repository';
import { ExamSchema } from '../../../src-main/interview/types';
import { ReviewService } from '../../../src-main/review/review-service';
import type { LocalStore } from '../../../src-main/store/local-store';
import { startSession } from '../../../src-main/store/sessions';
import { Uploader } from '../../../src-main/sync/uploader';
import { enrollLocalDevice, startCentral, type CentralFixture } from '../../support/central';
import { ManualClock } from '../../support/manual-clock';
import { makeTempDir } from '../../support/temp-dir';

let central: CentralFixture;
const temp = makeTempDir('vigil-content-sync-');
beforeAll(async () => {
  central = await startCentral();
}, 60_000);
afterAll(async () => {
  await central?.close();
  temp.cleanup();
});

const QUESTIONS = [
  { question: 'What is an index?', time_limit_s: 60 },
  { question: 'How do you test a migration?', time_limit_s: 90 },
  { question: 'Tell us about a bug you fixed.', time_limit_s: 120 },
];
const ANSWERS = [
  'A sorted structure that speeds up lookups at the cost of slower writes.',
  'Run it up and down on a copy of production data, then compare the schemas.',
  null, // spoken, not transcribed: answered, with no text
];

interface Queued {
  kind: string;
  idempotency_key: string;
  payload: string;
  bytes: number;
}

describe('interview content from a device to central PostgreSQL', () => {
  let store: LocalStore;
  afterAll(async () => {
    await store?.close();
  });

  it('arrives once per question, message and evaluation, survives a redelivery, and shows in review', async () => {
    // A practice exam evaluated on the device: the only kind whose device evaluation central takes.
    const examId = await central.createExam('Content exam', { practice: true, evaluation: 'device' });
    const dir = path.join(temp.dir, 'device');
    const enrolled = await enrollLocalDevice(central, { dir, examId, label: 'content device' });
    store = enrolled.store;
    const { vault, candidateId } = enrolled;
    const sessionId = store.write('start', (tx) => startSession(tx, { examId }));

    const clock = new ManualClock();
    const deps = {
      repo: new InterviewRepository(store),
      clock,
      scheduler: clock,
      audioDir: dir,
    };
    const exam = ExamSchema.parse({
      id: examId,
      title: 'Content exam',
      type: 'SKL',
      difficulty: 5,
      key_questions: QUESTIONS,
    });
    const flow = InterviewSessionFlow.start(deps, { sessionId, userId: candidateId, exam });
    const q0 = flow.state().current!.id;
    flow.saveDraft(q0, 'A sorted'); // drafts stay local
    flow.saveDraft(q0, 'A sorted structure');
    flow.submit(q0, ANSWERS[0]!);
    flow.submit(flow.state().current!.id, ANSWERS[1]!);
    flow.recordSpokenAnswer(flow.state().current!.id, {
      bytes: Buffer.from('not really webm'),
      mimeType: 'audio/webm',
    });
    flow.end();
    const evaluation = await evaluateNow({ store, evaluator: new LocalEvaluator(), sessionId });
    expect(evaluation.evaluator).toBe('local');

    // A session with no local `sessions` row (not this device's) queues nothing.
    const stranger = randomUUID();
    InterviewSessionFlow.start(deps, { sessionId: stranger, exam }).end();

    const repo = new InterviewRepository(store);
    const questions = repo.questions(sessionId);
    const messages = repo.messages(sessionId);
    expect(messages.map((m) => m.role)).toEqual([
      'system',
      ...QUESTIONS.flatMap(() => ['assistant', 'user']),
    ]);
    const queued = store.raw
      .prepare(
        `SELECT kind, idempotency_key, payload, bytes FROM outbox
         WHERE kind IN ('question', 'message', 'evaluation') ORDER BY id`,
      )
      .all() as Queued[];
    expect(queued.some((q) => q.payload.includes(stranger))).toBe(false);
    expect(queued.some((q) => q.payload.includes('"A sorted structure"'))).toBe(false);
    // Created (×3), then asked and answered for each: one item per step, each with its own key.
    const questionItems = queued.filter((q) => q.kind === 'question');
    expect(questionItems.map((q) => (JSON.parse(q.payload) as { ordinal: number }).ordinal)).toEqual([
      0, 1, 2, 0, 0, 1, 1, 2, 2,
    ]);
    expect(new Set(questionItems.map((q) => q.idempotency_key)).size).toBe(9);
    expect(queued.filter((q) => q.kind === 'message').map((q) => q.idempotency_key)).toEqual(
      messages.map((m) => `message:${messageUuid(sessionId, m.seq)}`),
    );
    expect(queued.filter((q) => q.kind === 'evaluation').map((q) => q.idempotency_key)).toEqual([
      `evaluation:${evaluation.id}`,
    ]);
    // Each message is queued after the question it refers to was first queued.
    const firstQuestion = (id: string) =>
      queued.findIndex((q) => q.kind === 'question' && q.payload.includes(id));
    for (const [i, q] of queued.entries()) {
      const ref = q.kind === 'message' ? (JSON.parse(q.payload) as { questionId: string | null }) : null;
      if (ref?.questionId) expect(firstQuestion(ref.questionId)).toBeLessThan(i);
    }

    const uploader = new Uploader({ store, channel: central.channel, token: () => vault.load() });
    const first = await uploader.syncOnce();
    expect(first).toMatchObject({ rejected: 0, duplicates: 0 });
    expect(uploader.status()).toMatchObject({ pendingItems: 0, rejectedItems: 0 });

    const centralContent = async () => ({
      questions: await central.owner.query(
        `SELECT id::text, ordinal, text, time_limit_s, asked_at IS NOT NULL AS asked,
                answered_at IS NOT NULL AS answered, answer_text
         FROM vigil.questions WHERE session_id = $1 ORDER BY ordinal`,
        [sessionId],
      ),
      messages: await central.owner.query(
        `SELECT id::text, question_id::text, role, content FROM vigil.messages
         WHERE session_id = $1 ORDER BY created_at, id`,
        [sessionId],
      ),
      evaluations: await central.owner.query(
        `SELECT id::text, professionalism, subject_knowledge, clarity, overall, traits, suggestions,
                feedback, question_responses, evaluator
         FROM vigil.evaluations WHERE session_id = $1`,
        [sessionId],
      ),
      others: await central.owner.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM vigil.questions WHERE session_id <> $1`,
        [sessionId],
      ),
    });
    const expectedEvaluation = (e: typeof evaluation) => ({
      id: e.id,
      professionalism: e.professionalism,
      subject_knowledge: e.subject_knowledge,
      clarity: e.clarity,
      overall: e.overall,
      traits: e.traits,
      suggestions: e.suggestions,
      feedback: e.feedback,
      question_responses: e.question_responses,
      evaluator: e.evaluator,
    });
    const expected = {
      questions: questions.map((q, i) => ({
        id: q.id,
        ordinal: i,
        text: QUESTIONS[i]!.question,
        time_limit_s: QUESTIONS[i]!.time_limit_s,
        asked: true,
        answered: true,
        answer_text: ANSWERS[i],
      })),
      messages: messages.map((m) => ({
        id: messageUuid(sessionId, m.seq),
        question_id: m.questionId,
        role: { system: 'system', assistant: 'interviewer', user: 'candidate' }[m.role],
        content: m.content,
      })),
      evaluations: [expectedEvaluation(evaluation)],
      others: [{ n: '0' }],
    };
    const after = await centralContent();
    expect(after).toEqual(expected);
    expect(after.messages.map((m) => m.content)).toEqual([
      expect.stringContaining('Interview "Content exam"'),
      QUESTIONS[0]!.question,
      ANSWERS[0],
      QUESTIONS[1]!.question,
      ANSWERS[1],
      QUESTIONS[2]!.question,
      '(spoken answer)',
    ]);
    for (const score of ['professionalism', 'subject_knowledge', 'clarity', 'overall'] as const) {
      expect(evaluation[score]).toBeGreaterThanOrEqual(0);
      expect(evaluation[score]).toBeLessThanOrEqual(100);
    }

    // Redelivery: the server committed but the device lost the receipts, so every item goes again.
    store.write('receipts lost', (tx) => {
      for (const q of queued)
        tx.raw
          .prepare(
            `INSERT INTO outbox (kind, idempotency_key, payload, bytes, created_at) VALUES (?, ?, ?, ?, ?)`,
          )
          .run(q.kind, q.idempotency_key, q.payload, q.bytes, new Date().toISOString());
    });
    const again = await uploader.syncOnce();
    expect(again).toMatchObject({ sent: queued.length, applied: 0, duplicates: queued.length, rejected: 0 });
    expect(await centralContent()).toEqual(expected);

    // A re-evaluation is a new local row and a new key: central keeps one evaluation, the latest.
    const redo = store.raw.transaction(() =>
      insertEvaluation(
        store,
        sessionId,
        { ...evaluation, overall: 91, clarity: 88, feedback: 'Re-evaluated.' },
        new Date().toISOString(),
      ),
    )();
    expect(await uploader.syncOnce()).toMatchObject({ applied: 1, rejected: 0 });
    const reevaluated = await centralContent();
    expect(reevaluated.evaluations).toEqual([
      { ...expectedEvaluation(redo), id: evaluation.id }, // central keeps the first row's id
    ]);
    expect(reevaluated.questions).toEqual(expected.questions);

    // The proctor assigned to the exam sees the answers and the evaluation.
    const proctor = await central.createProctor('proctor_content', [examId]);
    const review = await new ReviewService(proctor.store.query).load(sessionId);
    expect(review.answers.map(({ ordinal, question, answer }) => ({ ordinal, question, answer }))).toEqual(
      QUESTIONS.map((q, i) => ({ ordinal: i, question: q.question, answer: ANSWERS[i] })),
    );
    expect(review.answers.every((a) => a.askedAt !== null && a.answeredAt !== null)).toBe(true);
    expect(review.evaluation).toEqual({
      overall: 91,
      professionalism: redo.professionalism,
      subjectKnowledge: redo.subject_knowledge,
      clarity: 88,
      feedback: 'Re-evaluated.',
      traits: redo.traits,
      suggestions: redo.suggestions,
      questionResponses: redo.question_responses,
      evaluator: 'local',
      // The device's evaluation, shown as such (the central worker's would say `server`), with the
      // label central gives it.
      source: 'device',
      label: expect.stringMatching(/Evaluated on the candidate’s device \(practice exam\)/) as unknown,
    });
  });
});
