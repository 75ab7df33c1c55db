// What the one interview runtime (src-main/session/runtime.ts) does beyond asking questions: it plans
// them at the start (admin questions, then generated ones, falling back to the local generator when
// the AI provider is unreachable), rebuilds a running interview from the local store after a
// restart, and ends an interview without waiting for its evaluation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src-main/config/schema';
import { createAiServices } from '../../../src-main/evaluation/ai-services';
import { latestEvaluation } from '../../../src-main/evaluation/evaluation-store';
import { evaluateNow } from '../../../src-main/session/after-session-jobs';
import { enqueueJob, jobState } from '../../../src-main/store/jobs';
import type { EvaluationResult, Evaluator } from '../../../src-main/evaluation/types';
import { DocumentStore } from '../../../src-main/interview/documents';
import {
  generatedQuestionCount,
  MAX_GENERATED_QUESTIONS,
  planQuestions,
} from '../../../src-main/interview/plan-questions';
import { LocalQuestionGenerator } from '../../../src-main/interview/question-generator';
import { InterviewSessionFlow } from '../../../src-main/interview/session-flow';
import { InterviewRepository } from '../../../src-main/interview/session-repository';
import { ExamSchema } from '../../../src-main/interview/types';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { startFakeOpenAI } from '../../support/fake-openai';
import { ManualClock } from '../../support/manual-clock';

let store: LocalStore;
let dir: string;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-runtime-'));
  store = await openLocalStore(path.join(dir, 'vigil.db'));
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const config = (ai: Record<string, unknown>) =>
  configSchema.parse({
    central: {},
    data: {},
    log: {},
    proctoring: {},
    ai,
    media: {},
    report: {},
    security: {},
    update: {},
    worker: {},
  });

const platformExam = ExamSchema.parse({
  id: 'exam-2',
  title: 'Platform engineer',
  type: 'SKL',
  difficulty: 8,
  key_questions: [{ question: 'Why platform engineering?', time_limit_s: 60 }],
});

describe('question planning at the start of an interview', () => {
  it('adds generated questions after the admin ones, falling back to local generation when offline', async () => {
    const offline = await startFakeOpenAI();
    await offline.close();
    const ai = createAiServices({
      config: config({ apiKey: 'k', baseUrl: offline.baseURL }),
      store,
      env: {},
      retry: { maxTransportAttempts: 1 },
    });
    expect(ai.generator.kind).toBe('ai');
    const listing = new DocumentStore(store).addText('job_listing', {
      title: 'Platform role',
      text: 'Terraform and Kubernetes platform engineer. Terraform modules, Kubernetes clusters.',
    });
    const fallbacks: unknown[] = [];
    const questions = await planQuestions(platformExam, ai.generator, {
      generateCount: 2,
      jobListingText: listing.text,
      sessionId: 's-2',
      onFallback: (e) => fallbacks.push(e),
    });
    expect(questions.map((q) => q.source)).toEqual(['admin', 'local', 'local']);
    expect(questions[0]).toEqual({ text: 'Why platform engineering?', timeLimitS: 60, source: 'admin' });
    expect(questions.slice(1).some((q) => /Terraform|Kubernetes/.test(q.text))).toBe(true);
    expect(fallbacks).toHaveLength(1);

    // The planned questions are what the flow asks, in order.
    const clock = new ManualClock();
    const flow = InterviewSessionFlow.start(
      { repo: new InterviewRepository(store), clock, scheduler: clock, audioDir: dir },
      { sessionId: 's-2', exam: platformExam, jobListingText: listing.text, questions },
    );
    expect(flow.state()).toMatchObject({
      total: 3,
      current: { index: 0, text: 'Why platform engineering?' },
    });
    const repo = new InterviewRepository(store);
    expect(repo.questions('s-2').map((q) => q.source)).toEqual(['admin', 'local', 'local']);
    // A session starts once: a second start is refused, not a second set of questions.
    expect(() =>
      InterviewSessionFlow.start(
        { repo, clock, scheduler: clock, audioDir: dir },
        { sessionId: 's-2', exam: platformExam },
      ),
    ).toThrow(/already started/);
  });

  it('asks only the admin questions unless the exam asks for generated ones', async () => {
    const generator = new LocalQuestionGenerator();
    const plain = await planQuestions(platformExam, generator, {
      generateCount: generatedQuestionCount({}),
    });
    expect(plain).toEqual([{ text: 'Why platform engineering?', timeLimitS: 60, source: 'admin' }]);
    const more = await planQuestions(platformExam, generator, {
      generateCount: generatedQuestionCount({ generatedQuestions: 3 }),
    });
    expect(more.map((q) => q.source)).toEqual(['admin', 'local', 'local', 'local']);
    expect(generatedQuestionCount({ generatedQuestions: 2.5 })).toBe(0);
    expect(generatedQuestionCount({ generatedQuestions: -1 })).toBe(0);
    expect(generatedQuestionCount({ generatedQuestions: '4' })).toBe(0);
    expect(generatedQuestionCount({ generatedQuestions: 500 })).toBe(MAX_GENERATED_QUESTIONS);
  });
});

describe('interview after a restart', () => {
  it('closes the question that was open as interrupted, keeps its draft, and continues', async () => {
    const exam = ExamSchema.parse({
      id: 'e-r',
      title: 'Restart',
      type: 'GEN',
      difficulty: 3,
      key_questions: [
        { question: 'First?', time_limit_s: 60 },
        { question: 'Second?', time_limit_s: 45 },
      ],
    });
    const clock = new ManualClock();
    const before = InterviewSessionFlow.start(
      { repo: new InterviewRepository(store), clock, scheduler: clock, audioDir: dir },
      { sessionId: 's-r', exam },
    );
    const first = before.state().current!.id;
    before.saveDraft(first, 'Typed before the crash');
    // The app stops without closing anything; a new process (new clock) opens the same file.
    await store.close();
    store = await openLocalStore(path.join(dir, 'vigil.db'));
    const repo = new InterviewRepository(store);
    const clock2 = new ManualClock();
    const deps = { repo, clock: clock2, scheduler: clock2, audioDir: dir };
    const after = InterviewSessionFlow.resume(deps, 's-r')!;
    const state = after.state();
    expect(state.current).toMatchObject({ index: 1, text: 'Second?', remainingMs: 45_000 });
    expect(state.answered).toBe(1);
    expect(repo.questions('s-r')[0]).toMatchObject({ closeReason: 'interrupted' });
    expect(repo.answer(first)).toMatchObject({ text: 'Typed before the crash', final: true });
    expect(repo.messages('s-r').map((m) => m.role)).toEqual(['system', 'assistant', 'user', 'assistant']);
    expect(() => after.submit(first, 'late')).toThrow(/closed/);
    after.end();
    // An ended interview is not resumed.
    expect(InterviewSessionFlow.resume(deps, 's-r')).toBeNull();
    expect(InterviewSessionFlow.resume(deps, 'never-started')).toBeNull();
  });
});

describe('the end of an interview', () => {
  it('ends the session immediately while the evaluation is still running', async () => {
    let release: (r: EvaluationResult) => void = () => {};
    const started: string[] = [];
    const stuck: Evaluator = {
      kind: 'local',
      model: 'stuck',
      evaluate: (input) => {
        started.push(input.sessionId);
        return new Promise<EvaluationResult>((resolve) => (release = resolve));
      },
    };
    const clock = new ManualClock();
    const repo = new InterviewRepository(store);
    const exam = ExamSchema.parse({
      id: 'e',
      title: 'T',
      type: 'GEN',
      difficulty: 1,
      key_questions: [{ question: 'Q?', time_limit_s: 30 }],
    });
    // A practice exam evaluated on the device (the only kind the device evaluates).
    store.raw
      .prepare(`INSERT INTO cached_exams (id, definition, sealed, fetched_at) VALUES ('e', ?, x'00', ?)`)
      .run(JSON.stringify({ id: 'e', evaluation: 'device' }), new Date().toISOString());
    // As the session wires it: ending only enqueues; the job runner runs the evaluation later.
    const onEnded = (id: string) =>
      store.write('evaluation queued', (tx) =>
        enqueueJob(tx, { kind: 'evaluation', sessionId: id, key: id, payload: {} }),
      );
    const flow = InterviewSessionFlow.start(
      { repo, clock, scheduler: clock, audioDir: dir, onEnded },
      { sessionId: 's-3', exam },
    );
    const ended = flow.end();
    expect(ended.status).toBe('ended');
    expect(repo.snapshot('s-3')!.endedAt).not.toBeNull();
    expect(jobState(store, 'evaluation', 's-3')!.status).toBe('queued');
    const running = evaluateNow({ store, evaluator: stuck, sessionId: 's-3' });
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['s-3']);
    expect(jobState(store, 'evaluation', 's-3')!.status).toBe('running');
    release({
      evaluator: 'local',
      model: 'stuck',
      label: 'x',
      professionalism: 1,
      subject_knowledge: 1,
      clarity: 1,
      overall: 1,
      traits: [],
      suggestions: [],
      feedback: 'x',
      question_responses: [],
      details: {},
    });
    await running;
    expect(jobState(store, 'evaluation', 's-3')!.status).toBe('done');
    expect(latestEvaluation(store, 's-3')!.model).toBe('stuck');
  });
});
