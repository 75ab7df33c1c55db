// The interview calls of the contract, dispatched through the real composition root (createApp)
// with its lazily opened local database in a temp data folder: documents, generation, a full
// interview, its queued evaluation and the usage roll-up, plus typed errors across the boundary.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type VigilApp } from '../../../src-main/app/create-app';
import { loadConfig } from '../../../src-main/config/load';
import { silentLogger } from '../../../src-main/log/logger';
import type { CallName, Result } from '../../../src-preload/contract';
import { makeDocx } from '../../support/document-fixtures';

let dir: string;
let app: VigilApp;
const savedEnv = { ...process.env };

beforeAll(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('OPENAI_')) delete process.env[key];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-contract-'));
  const loaded = loadConfig({
    env: { VIGIL_DATA_DIR: dir },
    policyFile: path.join(dir, 'none.json'),
    userFile: path.join(dir, 'none-user.json'),
  });
  app = createApp({ loaded, logger: silentLogger(), mode: 'host' });
});
afterAll(async () => {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.env = savedEnv;
});

async function call<T = Record<string, unknown>>(name: CallName, request: unknown): Promise<Result<T>> {
  return (await app.dispatcher.dispatch(name, request, { transport: 'host', origin: 'test' })) as Result<T>;
}
async function ok<T = Record<string, unknown>>(name: CallName, request: unknown): Promise<T> {
  const result = await call<T>(name, request);
  if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

describe('interview contract calls', () => {
  it('runs documents → generated questions → interview → queued evaluation → usage', async () => {
    const listing = await ok<{ id: string; characters: number }>('createJobListingFromText', {
      title: 'Data engineer',
      text: 'Kafka and Spark data engineer. Kafka streams, Spark batch jobs.',
    });
    const resume = await ok<{ id: string; format: string }>('uploadDocument', {
      kind: 'resume',
      title: 'CV',
      fileName: 'cv.docx',
      dataBase64: (await makeDocx(['Airflow and dbt pipelines.', 'Airflow operators.'])).toString('base64'),
    });
    expect(resume.format).toBe('docx');

    const generated = await ok<{
      generator: string;
      questions: { question: string; time_limit_s: number }[];
    }>('generateQuestions', {
      type: 'SKL',
      difficulty: 6,
      count: 2,
      resumeId: resume.id,
      jobListingId: listing.id,
    });
    expect(generated.generator).toBe('local');
    expect(generated.questions).toHaveLength(2);

    const exam = {
      id: 'exam-c',
      title: 'Data engineer',
      type: 'SKL',
      difficulty: 6,
      key_questions: generated.questions,
      resume_id: resume.id,
      job_listing_id: listing.id,
    };
    const started = await ok<{ current: { id: string; remainingMs: number; timeLimitS: number } }>(
      'startInterview',
      {
        sessionId: 'sess-c',
        exam,
      },
    );
    expect(started.current.remainingMs).toBeLessThanOrEqual(started.current.timeLimitS * 1000);
    const q0 = started.current.id;
    await ok('saveAnswerDraft', { sessionId: 'sess-c', questionId: q0, text: 'Kafka topics' });
    const next = await ok<{ current: { id: string } }>('submitAnswer', {
      sessionId: 'sess-c',
      questionId: q0,
      text: 'Kafka topics partitioned by key, consumed by Spark jobs.',
    });
    const spoken = await ok<{ answered: number }>('submitSpokenAnswer', {
      sessionId: 'sess-c',
      questionId: next.current.id,
      mimeType: 'audio/webm',
      audioBase64: Buffer.from('audio-bytes').toString('base64'),
    });
    expect(spoken.answered).toBe(2);
    expect(fs.readdirSync(path.join(dir, 'answers', 'sess-c'))).toEqual(['answer-02.webm']);
    const ended = await ok<{ status: string }>('endInterview', { sessionId: 'sess-c' });
    expect(ended.status).toBe('ended');

    // The evaluation runs in the background; wait for it without timing anything.
    let view = await ok<{
      job: { status: string } | null;
      evaluation: { evaluator: string; label: string } | null;
    }>('getEvaluation', { sessionId: 'sess-c' });
    expect(view.job).not.toBeNull();
    for (let i = 0; i < 200 && view.job?.status !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      view = await ok('getEvaluation', { sessionId: 'sess-c' });
    }
    expect(view.evaluation).toMatchObject({ evaluator: 'local' });
    expect(view.evaluation!.label).toContain('Local heuristic');

    const usage = await ok<{ key: string; requests: number }[]>('getTokenUsage', {});
    expect(usage).toEqual([expect.objectContaining({ key: 'all', requests: 0 })]);
  });

  it('returns typed errors across the boundary', async () => {
    const badDifficulty = await call('generateQuestions', { type: 'SKL', difficulty: 11 });
    expect(badDifficulty.ok).toBe(false);
    if (!badDifficulty.ok) expect(badDifficulty.error.code).toBe('BAD_REQUEST');

    const corrupt = await call('uploadDocument', {
      kind: 'resume',
      title: 'Broken',
      fileName: 'broken.pdf',
      dataBase64: Buffer.from('%PDF-1.7\nnot really').toString('base64'),
    });
    expect(corrupt).toMatchObject({
      ok: false,
      error: { code: 'INVALID_DOCUMENT', details: { problem: 'corrupt' } },
    });

    const missing = await call('getInterviewState', { sessionId: 'no-such-session' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
