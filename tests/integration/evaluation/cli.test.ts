// The AI commands end to end: `vigil questions`, `vigil evaluate --session`, `vigil usage`, with the
// data folder in a temp dir, the OpenAI protocol served locally and the SDK's standard environment
// variables (OPENAI_API_KEY / OPENAI_BASE_URL) pointing at it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { localDbPath } from '../../../src-main/store/db-file';
import { openLocalStore } from '../../../src-main/store/local-store';
import { InterviewSessionFlow } from '../../../src-main/interview/session-flow';
import { InterviewRepository } from '../../../src-main/interview/session-repository';
import { ExamSchema } from '../../../src-main/interview/types';
import { makeDocx } from '../../support/document-fixtures';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai';
import { ManualClock } from '../../support/manual-clock';

let dir: string;
let fake: FakeOpenAI;
const saved = { ...process.env };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-'));
  fake = await startFakeOpenAI();
  for (const key of Object.keys(process.env))
    if (key.startsWith('VIGIL_') || key.startsWith('OPENAI_')) delete process.env[key];
  process.env.VIGIL_DATA_DIR = dir;
  process.env.VIGIL_POLICY_FILE = path.join(dir, 'no-policy.json');
  // Record a finished session in the data folder's database, as the app would.
  const db = await openLocalStore(localDbPath(dir));
  const clock = new ManualClock();
  const flow = InterviewSessionFlow.start(
    { repo: new InterviewRepository(db), clock, scheduler: clock, audioDir: dir },
    {
      sessionId: 'sess-cli',
      exam: ExamSchema.parse({
        id: 'exam-cli',
        title: 'Data engineer',
        type: 'SKL',
        difficulty: 5,
        key_questions: [{ question: 'How do you design a data pipeline?', time_limit_s: 120 }],
      }),
      jobListingText: 'Data pipelines with Kafka and Spark.',
    },
  );
  flow.submit(
    flow.state().current!.id,
    'First I would define the sources and the data contract. Then I would build the pipeline with Kafka for ingestion and Spark for batch jobs, because they scale. For example, I built one that processed 2 TB per day.',
  );
  flow.end();
  const second = InterviewSessionFlow.start(
    { repo: new InterviewRepository(db), clock, scheduler: clock, audioDir: dir },
    {
      sessionId: 'sess-local',
      exam: ExamSchema.parse({
        id: 'exam-cli',
        title: 'Data engineer',
        type: 'SKL',
        difficulty: 5,
        key_questions: [{ question: 'Why Kafka?', time_limit_s: 60 }],
      }),
    },
  );
  second.submit(second.state().current!.id, 'Kafka keeps an ordered, replayable log.');
  second.end();
  // A practice exam evaluated on the device: the only kind `vigil evaluate` evaluates here.
  db.raw
    .prepare(`INSERT INTO cached_exams (id, definition, sealed, fetched_at) VALUES ('exam-cli', ?, x'00', ?)`)
    .run(JSON.stringify({ id: 'exam-cli', evaluation: 'device' }), new Date().toISOString());
  await db.close();
});
afterAll(async () => {
  await fake.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.env = saved;
});
afterEach(() => {
  delete process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_BASE_URL;
});

async function vigil(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    const code = await main(['node', 'vigil', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('vigil CLI (AI commands)', () => {
  it('`questions --json` prints one JSON array from the local generator when no key is set', async () => {
    const job = path.join(dir, 'job.docx');
    fs.writeFileSync(
      job,
      await makeDocx(['Kafka and Spark data engineer.', 'Kafka streaming, Spark batch.']),
    );
    const { code, out } = await vigil(
      'questions',
      '--type',
      'SKL',
      '--difficulty',
      '7',
      '--job',
      job,
      '--json',
    );
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as { question: string; time_limit_s: number }[];
    expect(parsed).toHaveLength(5);
    for (const q of parsed) expect(Object.keys(q).sort()).toEqual(['question', 'time_limit_s']);
    expect(parsed.some((q) => q.question.includes('Kafka'))).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });

  it('`questions` uses the model named by OPENAI_API_KEY / OPENAI_BASE_URL when set', async () => {
    process.env.OPENAI_API_KEY = 'sk-env';
    process.env.OPENAI_BASE_URL = fake.baseURL;
    fake.script('chat', {
      kind: 'chat',
      content: { questions: [{ question: 'Q from the model?', time_limit_s: 90 }] },
      usage: { prompt_tokens: 100, completion_tokens: 20 },
    });
    const { code, out } = await vigil(
      'questions',
      '--type',
      'GEN',
      '--difficulty',
      '2',
      '--count',
      '1',
      '--json',
    );
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([{ question: 'Q from the model?', time_limit_s: 90 }]);
    expect(fake.requests.at(-1)!.headers.authorization).toBe('Bearer sk-env');
  });

  it('`questions` refuses a bad type or difficulty with exit code 1', async () => {
    const { code, err } = await vigil('questions', '--type', 'SKL', '--difficulty', '0');
    expect(code).toBe(1);
    expect(err).toContain('Difficulty must be a whole number from 1 to 10');
  });

  it('`evaluate --session` with the model, then `usage` rolls its tokens up per exam, month and in total', async () => {
    process.env.OPENAI_API_KEY = 'sk-env';
    process.env.OPENAI_BASE_URL = fake.baseURL;
    fake.script('chat', {
      kind: 'chat',
      content: {
        question_responses: [{ index: 0, score: 8, feedback: 'Concrete.' }],
        professionalism: 80,
        subject_knowledge: 75,
        clarity: 85,
        overall: 79,
        traits: ['Structured'],
        suggestions: [],
        feedback: 'Strong.',
      },
      usage: { prompt_tokens: 1000, completion_tokens: 200 },
    });
    const evaluated = await vigil('evaluate', '--session', 'sess-cli', '--json');
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.out)).toMatchObject({
      evaluator: 'openai',
      overall: 79,
      model: 'gpt-4o-mini',
    });

    const byExam = await vigil('usage', '--by', 'exam', '--csv');
    expect(byExam.out).toContain(
      'exam,requests,prompt_tokens,completion_tokens,total_tokens,cost_usd,unpriced_requests',
    );
    // Question generation above had no exam; this evaluation: 1000 × 150 + 200 × 600 nano-dollars.
    expect(byExam.out).toContain('exam-cli,1,1000,200,1200,0.000270,0');
    const month = await vigil('usage', '--by', 'month', '--json');
    const months = JSON.parse(month.out) as { key: string; requests: number }[];
    expect(months).toHaveLength(1);
    expect(months[0]!.key).toMatch(/^\d{4}-\d{2}$/);
    const total = await vigil('usage');
    expect(total.out).toMatch(/^total\s+requests/);
    // Plus the question generation above: 100 × 150 + 20 × 600 = 27,000 nano-dollars.
    expect(total.out).toMatch(/all\s+2\s+1100\s+220\s+1320\s+0\.000297\s+0/);
  });

  it('`evaluate --session --local` answers without a key, labelled as local', async () => {
    const { code, out } = await vigil('evaluate', '--session', 'sess-local', '--local');
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toContain('Local heuristic evaluation (no AI model)');
    expect(out).toContain('(local: vigil-local-heuristic-v1)');
    const unknown = await vigil('evaluate', '--session', 'nope', '--local');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('No interview was recorded');
  });

  it('runs as a real process through bin/vigil.mjs', () => {
    const run = spawnSync(
      process.execPath,
      ['bin/vigil.mjs', 'questions', '--type', 'PER', '--difficulty', '3', '--json'],
      {
        env: { ...process.env, OPENAI_API_KEY: '', VIGIL_AI_API_KEY: '' },
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(0);
    const parsed = JSON.parse(run.stdout) as unknown[];
    expect(parsed).toHaveLength(5);
  });
});
