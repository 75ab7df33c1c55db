// The interview facade: admin plus generated questions (falling back to the local generator when
// the AI provider is unreachable), documents feeding the session, and an end that returns before
// the evaluation has run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAiServices } from '../../../src-main/evaluation/ai-services';
import type { EvaluationResult, Evaluator } from '../../../src-main/evaluation/types';
import { InterviewService } from '../../../src-main/interview/interview-service';
import { openLocalDatabase, type LocalDatabase } from '../../../src-main/interview/local-db';
import { ExamSchema } from '../../../src-main/interview/types';
import { configSchema } from '../../../src-main/config/schema';
import { startFakeOpenAI } from '../../support/fake-openai';
import { ManualClock } from '../../support/manual-clock';

let db: LocalDatabase;
let dir: string;
beforeEach(async () => {
  db = await openLocalDatabase(':memory:');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-svc-'));
});
afterEach(async () => {
  await db.close();
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
  });

describe('interview service', () => {
  it('adds generated questions after the admin ones, falling back to local generation when offline', async () => {
    const offline = await startFakeOpenAI();
    await offline.close();
    const ai = createAiServices({
      config: config({ apiKey: 'k', baseUrl: offline.baseURL }),
      db: db.sqlite,
      env: {},
      retry: { maxTransportAttempts: 1 },
    });
    expect(ai.generator.kind).toBe('ai');
    const warnings: string[] = [];
    const clock = new ManualClock();
    const service = new InterviewService({
      db: db.sqlite,
      audioDir: dir,
      ai,
      clock,
      scheduler: clock,
      jobIntervalMs: 0,
      onWarning: (m) => warnings.push(m),
    });
    const listing = service.documents.addText('job_listing', {
      title: 'Platform role',
      text: 'Terraform and Kubernetes platform engineer. Terraform modules, Kubernetes clusters.',
    });
    const exam = ExamSchema.parse({
      id: 'exam-2',
      title: 'Platform engineer',
      type: 'SKL',
      difficulty: 8,
      key_questions: [{ question: 'Why platform engineering?', time_limit_s: 60 }],
      job_listing_id: listing.id,
    });
    const state = await service.startSession({ sessionId: 's-2', exam, generateCount: 2 });
    expect(state.total).toBe(3);
    expect(service.repo.questions('s-2').map((q) => q.source)).toEqual(['admin', 'local', 'local']);
    expect(
      service.repo
        .questions('s-2')
        .slice(1)
        .some((q) => /Terraform|Kubernetes/.test(q.text)),
    ).toBe(true);
    expect(warnings).toEqual(['AI question generation failed; using the local generator']);
    await expect(service.startSession({ sessionId: 's-2', exam })).rejects.toThrow(/already started/);
    await service.close();
  });

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
    const ai = { ...createAiServices({ config: config({}), db: db.sqlite, env: {} }), evaluator: stuck };
    const clock = new ManualClock();
    const service = new InterviewService({
      db: db.sqlite,
      audioDir: dir,
      ai,
      clock,
      scheduler: clock,
      jobIntervalMs: 0,
    });
    const exam = ExamSchema.parse({
      id: 'e',
      title: 'T',
      type: 'GEN',
      difficulty: 1,
      key_questions: [{ question: 'Q?', time_limit_s: 30 }],
    });
    await service.startSession({ sessionId: 's-3', exam });
    const ended = service.endSession('s-3');
    expect(ended.status).toBe('ended');
    expect(service.repo.snapshot('s-3')!.endedAt).not.toBeNull();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['s-3']);
    expect(service.jobs.job('s-3')!.status).toBe('running');
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
    await service.close(); // waits for the background run
    expect(service.jobs.job('s-3')!.status).toBe('done');
    expect(service.jobs.evaluation('s-3')!.model).toBe('stuck');
  });
});

describe('interview after a restart', () => {
  it('closes the question that was open as interrupted, keeps its draft, and continues', async () => {
    const ai = createAiServices({ config: config({}), db: db.sqlite, env: {} });
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
    const before = new InterviewService({
      db: db.sqlite,
      audioDir: dir,
      ai,
      clock,
      scheduler: clock,
      jobIntervalMs: 0,
    });
    const started = await before.startSession({ sessionId: 's-r', exam });
    before.flow('s-r').saveDraft(started.current!.id, 'Typed before the crash');
    // The app stops without closing anything; a new process (new clock) opens the same database.
    const clock2 = new ManualClock();
    const after = new InterviewService({
      db: db.sqlite,
      audioDir: dir,
      ai,
      clock: clock2,
      scheduler: clock2,
      jobIntervalMs: 0,
    });
    const state = after.flow('s-r').state();
    expect(state.current).toMatchObject({ index: 1, text: 'Second?', remainingMs: 45_000 });
    expect(state.answered).toBe(1);
    expect(after.repo.questions('s-r')[0]).toMatchObject({ closeReason: 'interrupted' });
    expect(after.repo.answer(started.current!.id)).toMatchObject({
      text: 'Typed before the crash',
      final: true,
    });
    expect(after.repo.messages('s-r').map((m) => m.role)).toEqual([
      'system',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(() => after.flow('s-r').submit(started.current!.id, 'late')).toThrow(/closed/);
    after.endSession('s-r');
    expect(() => after.flow('s-r')).toThrow(/No interview is running/);
    await after.close();
    await before.close();
  });
});
