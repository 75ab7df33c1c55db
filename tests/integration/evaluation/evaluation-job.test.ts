// Evaluation as a job of the device's one runner: ending a session only enqueues it; an offline or
// failing provider leaves it queued with backoff (or Retry-After); it completes once the provider is
// back; a crash mid-run leaves it due again; `evaluateNow` (vigil evaluate) runs the same job.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAIEvaluator } from '../../../src-main/evaluation/openai-evaluator';
import { Pricing } from '../../../src-main/evaluation/pricing';
import { StructuredChat } from '../../../src-main/evaluation/structured-chat';
import { TokenLedger } from '../../../src-main/evaluation/token-ledger';
import { LocalEvaluator } from '../../../src-main/evaluation/local-evaluator';
import { evaluateNow, registerEvaluationJob } from '../../../src-main/session/after-session-jobs';
import { JobRunner } from '../../../src-main/store/job-runner';
import { enqueueJob, jobState } from '../../../src-main/store/jobs';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { latestEvaluation } from '../../../src-main/evaluation/evaluation-store';
import { InterviewSessionFlow } from '../../../src-main/interview/session-flow';
import { InterviewRepository } from '../../../src-main/interview/session-repository';
import { ExamSchema } from '../../../src-main/interview/types';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai';
import { ManualClock } from '../../support/manual-clock';

const exam = ExamSchema.parse({
  id: 'exam-1',
  title: 'Backend engineer',
  type: 'SKL',
  difficulty: 6,
  key_questions: [
    { question: 'What is an index?', time_limit_s: 60 },
    { question: 'How do you test?', time_limit_s: 60 },
  ],
});
const aiOutput = {
  question_responses: [
    { index: 0, score: 8, feedback: 'Good.' },
    { index: 1, score: 2, feedback: 'Unfinished.' },
  ],
  professionalism: 60,
  subject_knowledge: 55,
  clarity: 70,
  overall: 61,
  traits: [],
  suggestions: [],
  feedback: 'Fine.',
};

let db: LocalStore;

function cachePolicy(policy: Record<string, unknown>): void {
  db.raw
    .prepare(
      `INSERT INTO cached_exams (id, definition, sealed, fetched_at) VALUES ('exam-1', ?, x'00', ?)
       ON CONFLICT (id) DO UPDATE SET definition = excluded.definition`,
    )
    // The plain facts of the sealed cache (central 0452) say who evaluates; the content stays sealed.
    .run(
      JSON.stringify({
        id: 'exam-1',
        evaluation: policy.evaluation === 'device' && policy.practice === true ? 'device' : 'server',
      }),
      new Date().toISOString(),
    );
}
let dir: string;
let fake: FakeOpenAI;
let now: number;

beforeEach(async () => {
  db = await openLocalStore(':memory:');
  // A practice exam evaluated on the device: the only kind the device evaluates.
  cachePolicy({ practice: true, evaluation: 'device' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-jobs-'));
  fake = await startFakeOpenAI();
  now = Date.UTC(2026, 0, 10, 12);
});
afterEach(async () => {
  await fake.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const proctoring = {
  statsFor: () => ({ available: true, warningCount: 1, warningsByType: { looking_away: 1 } }),
};

function runnerWith(baseURL: string): { runner: JobRunner; ledger: TokenLedger } {
  const ledger = new TokenLedger(db, new Pricing(), () => new Date(now));
  const chat = new StructuredChat({
    settings: { apiKey: 'k', baseURL, model: 'gpt-4o-mini', transcriptionModel: undefined, timeoutMs: 2000 },
    ledger,
    retry: { maxTransportAttempts: 2 },
    sleep: async () => {},
  });
  const runner = new JobRunner({ store: db, now: () => now, random: () => 1, baseBackoffMs: 30_000 });
  registerEvaluationJob(runner, { store: db, evaluator: new OpenAIEvaluator(chat), proctoring });
  return { runner, ledger };
}

/** Runs what is due now and stops (the runner of a short-lived app). */
async function runDue(runner: JobRunner): Promise<void> {
  runner.start();
  await runner.drain();
  await runner.stop();
}

/** A session answered and ended; its end enqueues the evaluation, as the candidate session does. */
function runSession(): InterviewSessionFlow {
  const clock = new ManualClock();
  const flow = InterviewSessionFlow.start(
    {
      repo: new InterviewRepository(db),
      clock,
      scheduler: clock,
      audioDir: dir,
      onEnded: (id) =>
        db.write('evaluation queued', (tx) =>
          enqueueJob(tx, { kind: 'evaluation', sessionId: id, key: id, payload: {}, now }),
        ),
    },
    { sessionId: 'sess-1', exam, userId: 'cand-1' },
  );
  flow.submit(flow.state().current!.id, 'A sorted structure that speeds up lookups.');
  flow.saveDraft(flow.state().current!.id, 'Unit tests and');
  return flow;
}

const job = () => jobState(db, 'evaluation', 'sess-1');

describe('the evaluation job', () => {
  it('ends the session while the provider is offline, keeps the job queued, and completes it later', async () => {
    const offline = await startFakeOpenAI();
    const offlineURL = offline.baseURL;
    await offline.close(); // connection refused from now on
    const { runner, ledger } = runnerWith(offlineURL);
    const flow = runSession();
    expect(flow.end().status).toBe('ended');
    expect(job()).toMatchObject({ status: 'queued', attempts: 0 });

    await runDue(runner);
    const queued = job()!;
    expect(queued).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: now + 30_000 });
    expect(queued.lastError?.message).toContain('did not answer');
    expect(ledger.list().map((r) => r.status)).toEqual(['network_error', 'network_error']);

    await runDue(runner); // not due yet
    expect(job()).toMatchObject({ attempts: 1 });
    now += 30_000;
    await runDue(runner);
    expect(job()).toMatchObject({ attempts: 2, nextAttemptAt: now + 60_000 });

    // The provider is back (a different URL stands in for the same provider coming online).
    const online = runnerWith(fake.baseURL);
    fake.script('chat', {
      kind: 'chat',
      content: aiOutput,
      usage: { prompt_tokens: 900, completion_tokens: 100 },
    });
    now += 60_000;
    await runDue(online.runner);
    const evaluation = latestEvaluation(db, 'sess-1')!;
    expect(evaluation).toMatchObject({ evaluator: 'openai', overall: 61, sessionId: 'sess-1' });
    expect(evaluation.question_responses.map((q) => q.answer)).toEqual([
      'A sorted structure that speeds up lookups.',
      'Unit tests and',
    ]);
    expect(evaluation.details.proctoring).toEqual({
      available: true,
      warningCount: 1,
      warningsByType: { looking_away: 1 },
    });
    expect(job()).toMatchObject({
      status: 'done',
      attempts: 3,
      result: { evaluationId: evaluation.id },
    });
    // The prompt carried the answer kept at the limit and said it was cut short.
    const prompt = (fake.requests[0]!.json as { messages: { content: string }[] }).messages[1]!.content;
    expect(prompt).toContain('Unit tests and');
    expect(ledger.list().filter((r) => r.sessionId === 'sess-1' && r.status === 'ok')).toHaveLength(1);
  });

  it('waits at least as long as the provider’s Retry-After before the next attempt', async () => {
    const { runner } = runnerWith(fake.baseURL);
    runSession().end();
    fake.script('chat', { kind: 'status', status: 429, retryAfter: '3600' });
    await runDue(runner);
    expect(job()!.nextAttemptAt).toBe(now + 3_600_000);
  });

  it('makes a job interrupted by a crash due again, and fails a job with no recorded session', async () => {
    db.write('ghost', (tx) => {
      const id = enqueueJob(tx, { kind: 'evaluation', sessionId: 'ghost', key: 'ghost', payload: {}, now });
      tx.raw.prepare(`UPDATE jobs SET status = 'running', attempts = 1 WHERE id = ?`).run(id);
    });
    const runner = new JobRunner({ store: db, now: () => now });
    registerEvaluationJob(runner, { store: db, evaluator: new LocalEvaluator() });
    await runDue(runner);
    const ghost = jobState(db, 'evaluation', 'ghost')!;
    expect(ghost).toMatchObject({ status: 'failed', attempts: 2 });
    expect(ghost.lastError?.message).toContain('No interview was recorded');
  });

  it('evaluates locally with no key through evaluateNow, storing a labelled result, once', async () => {
    runSession().end();
    const evaluator = new LocalEvaluator();
    const evaluation = await evaluateNow({ store: db, evaluator, sessionId: 'sess-1' });
    expect(evaluation.evaluator).toBe('local');
    expect(evaluation.label).toContain('Local heuristic');
    expect(latestEvaluation(db, 'sess-1')).toEqual(evaluation);
    expect(await evaluateNow({ store: db, evaluator, sessionId: 'sess-1' })).toEqual(evaluation); // not re-run
    await expect(evaluateNow({ store: db, evaluator, sessionId: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('No interview was recorded') as unknown,
    });
  });

  it('does not evaluate an exam the server evaluates, even when asked to, and asks for the report', async () => {
    cachePolicy({ evaluation: 'device' }); // not a practice exam: the server evaluates it
    runSession().end();
    await expect(
      evaluateNow({ store: db, evaluator: new LocalEvaluator(), sessionId: 'sess-1' }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('evaluated by the central server') as unknown,
    });
    expect(latestEvaluation(db, 'sess-1')).toBeNull();
    expect(jobState(db, 'report', 'sess-1')).toMatchObject({ status: 'queued' });
  });
});
