// Evaluation as a persisted job: ending a session only enqueues it; an offline or failing provider
// leaves it queued with backoff (or Retry-After); it completes once the provider is back; a crash
// mid-run leaves it due again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvaluationJobs } from '../../../src-main/evaluation/evaluation-jobs';
import { OpenAIEvaluator } from '../../../src-main/evaluation/openai-evaluator';
import { Pricing } from '../../../src-main/evaluation/pricing';
import { StructuredChat } from '../../../src-main/evaluation/structured-chat';
import { TokenLedger } from '../../../src-main/evaluation/token-ledger';
import { LocalEvaluator } from '../../../src-main/evaluation/local-evaluator';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
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
let dir: string;
let fake: FakeOpenAI;
let now: number;

beforeEach(async () => {
  db = await openLocalStore(':memory:');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-jobs-'));
  fake = await startFakeOpenAI();
  now = Date.UTC(2026, 0, 10, 12);
});
afterEach(async () => {
  await fake.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function jobsWith(baseURL: string): { jobs: EvaluationJobs; ledger: TokenLedger } {
  const ledger = new TokenLedger(db, new Pricing(), () => new Date(now));
  const chat = new StructuredChat({
    settings: { apiKey: 'k', baseURL, model: 'gpt-4o-mini', transcriptionModel: undefined, timeoutMs: 2000 },
    ledger,
    retry: { maxTransportAttempts: 2 },
    sleep: async () => {},
  });
  const jobs = new EvaluationJobs({
    store: db,
    evaluator: new OpenAIEvaluator(chat),
    proctoring: {
      statsFor: () => ({ available: true, warningCount: 1, warningsByType: { looking_away: 1 } }),
    },
    now: () => now,
    random: () => 1,
    baseBackoffMs: 30_000,
  });
  return { jobs, ledger };
}

function runSession(jobs: EvaluationJobs): InterviewSessionFlow {
  const clock = new ManualClock();
  const flow = InterviewSessionFlow.start(
    {
      repo: new InterviewRepository(db),
      clock,
      scheduler: clock,
      audioDir: dir,
      onEnded: (id) => jobs.enqueue(id),
    },
    { sessionId: 'sess-1', exam, userId: 'cand-1' },
  );
  flow.submit(flow.state().current!.id, 'A sorted structure that speeds up lookups.');
  flow.saveDraft(flow.state().current!.id, 'Unit tests and');
  return flow;
}

describe('evaluation jobs', () => {
  it('ends the session while the provider is offline, keeps the job queued, and completes it later', async () => {
    const offline = await startFakeOpenAI();
    const offlineURL = offline.baseURL;
    await offline.close(); // connection refused from now on
    const { jobs, ledger } = jobsWith(offlineURL);
    const flow = runSession(jobs);
    expect(flow.end().status).toBe('ended');
    expect(jobs.job('sess-1')).toMatchObject({ status: 'queued', attempts: 0 });

    const first = await jobs.runDue();
    expect(first).toEqual({ succeeded: [], failed: ['sess-1'] });
    const queued = jobs.job('sess-1')!;
    expect(queued).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: now + 30_000 });
    expect(queued.lastError).toContain('did not answer');
    expect(ledger.list().map((r) => r.status)).toEqual(['network_error', 'network_error']);

    expect(await jobs.runDue()).toEqual({ succeeded: [], failed: [] }); // not due yet
    now += 30_000;
    const again = await jobs.runDue();
    expect(again.failed).toEqual(['sess-1']);
    expect(jobs.job('sess-1')).toMatchObject({ attempts: 2, nextAttemptAt: now + 60_000 });

    // The provider is back (a different URL stands in for the same provider coming online).
    const online = jobsWith(fake.baseURL);
    fake.script('chat', {
      kind: 'chat',
      content: aiOutput,
      usage: { prompt_tokens: 900, completion_tokens: 100 },
    });
    now += 60_000;
    expect(await online.jobs.runDue()).toEqual({ succeeded: ['sess-1'], failed: [] });
    const evaluation = online.jobs.evaluation('sess-1')!;
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
    expect(online.jobs.job('sess-1')).toMatchObject({
      status: 'done',
      attempts: 3,
      evaluationId: evaluation.id,
    });
    // The prompt carried the answer kept at the limit and said it was cut short.
    const prompt = (fake.requests[0]!.json as { messages: { content: string }[] }).messages[1]!.content;
    expect(prompt).toContain('Unit tests and');
    expect(ledger.list().filter((r) => r.sessionId === 'sess-1' && r.status === 'ok')).toHaveLength(1);
  });

  it('waits at least as long as the provider’s Retry-After before the next attempt', async () => {
    const { jobs } = jobsWith(fake.baseURL);
    runSession(jobs).end();
    fake.script('chat', { kind: 'status', status: 429, retryAfter: '3600' });
    await jobs.runDue();
    expect(jobs.job('sess-1')!.nextAttemptAt).toBe(now + 3_600_000);
  });

  it('makes a job interrupted by a crash due again, and fails a job with no recorded session', async () => {
    db.raw
      .prepare(
        `insert into evaluation_jobs (session_id, status, attempts, next_attempt_at, created_at, updated_at)
         values ('ghost', 'running', 1, 0, 'x', 'x')`,
      )
      .run();
    const jobs = new EvaluationJobs({ store: db, evaluator: new LocalEvaluator(), now: () => now });
    expect(jobs.job('ghost')!.status).toBe('queued');
    expect(await jobs.runDue()).toEqual({ succeeded: [], failed: ['ghost'] });
    expect(jobs.job('ghost')).toMatchObject({ status: 'failed' });
    expect(jobs.job('ghost')!.lastError).toContain('No interview was recorded');
  });

  it('evaluates locally with no key and stores a labelled result', async () => {
    const jobs = new EvaluationJobs({ store: db, evaluator: new LocalEvaluator(), now: () => now });
    runSession(jobs).end();
    const evaluation = await jobs.run('sess-1');
    expect(evaluation.evaluator).toBe('local');
    expect(evaluation.label).toContain('Local heuristic');
    expect(jobs.evaluation('sess-1')).toEqual(evaluation);
    expect(await jobs.run('sess-1')).toEqual(evaluation); // a done job is not re-run
  });
});
