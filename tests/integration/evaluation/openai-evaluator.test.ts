// Drives the OpenAI-compatible evaluator through every path against a local server that speaks the
// OpenAI protocol: success, 429 with Retry-After, 5xx, timeouts, invalid output, malformed bodies,
// refused keys, transcription. The ledger must hold exactly one row per HTTP request, with exact costs.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveAiSettings, type AiSettings } from '../../../src-main/evaluation/ai-settings';
import { OpenAIEvaluator } from '../../../src-main/evaluation/openai-evaluator';
import { Pricing } from '../../../src-main/evaluation/pricing';
import { StructuredChat } from '../../../src-main/evaluation/structured-chat';
import { TokenLedger } from '../../../src-main/evaluation/token-ledger';
import type { EvaluationInput } from '../../../src-main/evaluation/types';
import { VigilError } from '../../../src-main/errors';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai';

const input: EvaluationInput = {
  sessionId: 'sess-1',
  examId: 'exam-1',
  userId: 'user-1',
  exam: { title: 'Backend engineer', type: 'SKL', difficulty: 7 },
  resumeText: 'Node.js, PostgreSQL',
  jobListingText: 'Backend engineer for a payments API',
  responses: [
    {
      question: 'Explain an index.',
      answer: 'A B-tree over a column.',
      timeLimitS: 60,
      elapsedMs: 30_000,
      timedOut: false,
    },
    {
      question: 'Describe an incident.',
      answer: 'We lost a disk',
      timeLimitS: 90,
      elapsedMs: 90_000,
      timedOut: true,
    },
  ],
  proctoring: { available: true, warningCount: 3 },
};

const validOutput = {
  question_responses: [
    { index: 1, score: 4, feedback: 'Cut short.' },
    { index: 0, score: 7.5, feedback: 'Correct and brief.' },
  ],
  professionalism: 70,
  subject_knowledge: 65,
  clarity: 72,
  overall: 68,
  traits: ['Concise'],
  suggestions: ['Give a concrete example.'],
  feedback: 'Solid basics.',
};
const ok = (prompt = 1200, completion = 300) => ({
  kind: 'chat' as const,
  content: validOutput,
  usage: { prompt_tokens: prompt, completion_tokens: completion },
});

let fake: FakeOpenAI;
let db: LocalStore;
let ledger: TokenLedger;
let sleeps: number[];

function settings(over: Partial<AiSettings> = {}): AiSettings {
  return {
    apiKey: 'sk-test',
    baseURL: fake.baseURL,
    model: 'gpt-4o-mini',
    transcriptionModel: 'whisper-1',
    timeoutMs: 5_000,
    ...over,
  };
}
function chat(over: Partial<AiSettings> = {}, pricing?: Pricing): StructuredChat {
  if (pricing) ledger = new TokenLedger(db, pricing);
  return new StructuredChat({
    settings: settings(over),
    ledger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
  });
}
const rows = () =>
  ledger.list().map((r) => ({
    status: r.status,
    http: r.httpStatus,
    attempt: r.attempt,
    prompt: r.promptTokens,
    completion: r.completionTokens,
    total: r.totalTokens,
    cost: r.costNanoUsd,
  }));
async function failure(promise: Promise<unknown>): Promise<VigilError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VigilError);
  return error as VigilError;
}

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  db = await openLocalStore(':memory:');
  ledger = new TokenLedger(db, new Pricing());
  sleeps = [];
  fake.requests.length = 0;
});
afterEach(async () => {
  await db.close();
});

// gpt-4o-mini: $0.15 / $0.60 per 1M tokens = 150 / 600 nano-dollars per token.
const OK_ROW = {
  status: 'ok',
  http: 200,
  prompt: 1200,
  completion: 300,
  total: 1500,
  cost: 1200 * 150 + 300 * 600,
};

describe('OpenAI evaluator', () => {
  it('sends json_schema structured output, validates it and writes one exact usage row', async () => {
    fake.script('chat', ok());
    const result = await new OpenAIEvaluator(chat()).evaluate(input);
    expect(result).toMatchObject({
      evaluator: 'openai',
      model: 'gpt-4o-mini',
      overall: 68,
      question_responses: [
        {
          question: 'Explain an index.',
          answer: 'A B-tree over a column.',
          score: 7.5,
          feedback: 'Correct and brief.',
        },
        { question: 'Describe an incident.', score: 4 },
      ],
      details: { proctoring: { available: true, warningCount: 3 } },
    });
    expect(result.label).toContain('AI evaluation by gpt-4o-mini');
    expect(rows()).toEqual([{ ...OK_ROW, attempt: 1 }]);
    expect(ledger.list()[0]).toMatchObject({
      sessionId: 'sess-1',
      examId: 'exam-1',
      userId: 'user-1',
      requestType: 'evaluation',
    });
    expect(ledger.rollup('cumulative')[0]!.costUsd).toBeCloseTo(0.00036, 12);
    const req = fake.requests[0]!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    const body = req.json as {
      model: string;
      response_format: { type: string; json_schema: { strict: boolean; schema: { required: string[] } } };
    };
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.strict).toBe(true);
    expect(body.response_format.json_schema.schema.required).toContain('question_responses');
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    fake.script('chat', { kind: 'status', status: 429, retryAfter: '2' }, ok());
    await new OpenAIEvaluator(chat()).evaluate(input);
    expect(sleeps).toEqual([2000]);
    expect(rows()).toEqual([
      { status: 'http_error', http: 429, attempt: 1, prompt: 0, completion: 0, total: 0, cost: 0 },
      { ...OK_ROW, attempt: 2 },
    ]);
  });

  it('does not wait for an unreasonable Retry-After: fails retryable so the job retries later', async () => {
    fake.script('chat', { kind: 'status', status: 429, retryAfter: '600' });
    const error = await failure(new OpenAIEvaluator(chat()).evaluate(input));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toMatchObject({ retryable: true, retryAfterMs: 600_000 });
    expect(rows()).toHaveLength(1);
  });

  it('retries 5xx with exponential backoff', async () => {
    fake.script('chat', { kind: 'status', status: 500 }, { kind: 'status', status: 503 }, ok());
    await new OpenAIEvaluator(chat()).evaluate(input);
    expect(sleeps).toEqual([250, 500]);
    expect(rows().map((r) => [r.status, r.http, r.attempt])).toEqual([
      ['http_error', 500, 1],
      ['http_error', 503, 2],
      ['ok', 200, 3],
    ]);
  });

  it('gives up after the bounded number of transport attempts', async () => {
    fake.script('chat', ...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 500 })), ok());
    const error = await failure(new OpenAIEvaluator(chat()).evaluate(input));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toMatchObject({ retryable: true, attempts: 4 });
    expect(rows()).toHaveLength(4);
    expect(fake.requests).toHaveLength(4);
    fake.script('chat'); // leave the queue as it was: drain the unused reply
    await new OpenAIEvaluator(chat()).evaluate(input);
  });

  it('times out a slow response and retries', async () => {
    fake.script('chat', { kind: 'slow', delayMs: 3_000, then: ok() }, ok());
    await new OpenAIEvaluator(chat({ timeoutMs: 200 })).evaluate(input);
    expect(rows().map((r) => [r.status, r.http, r.cost])).toEqual([
      ['timeout', null, 0],
      ['ok', 200, OK_ROW.cost],
    ]);
  });

  it('retries invalid output (not JSON, schema violation, wrong question count) and bills every response', async () => {
    fake.script(
      'chat',
      {
        kind: 'chat',
        content: 'Sure! Here is the evaluation.',
        usage: { prompt_tokens: 1000, completion_tokens: 10 },
      },
      {
        kind: 'chat',
        content: { ...validOutput, overall: 150 },
        usage: { prompt_tokens: 1100, completion_tokens: 200 },
      },
      ok(),
    );
    await new OpenAIEvaluator(chat()).evaluate(input);
    expect(rows()).toEqual([
      {
        status: 'invalid_output',
        http: 200,
        attempt: 1,
        prompt: 1000,
        completion: 10,
        total: 1010,
        cost: 1000 * 150 + 10 * 600,
      },
      {
        status: 'invalid_output',
        http: 200,
        attempt: 2,
        prompt: 1100,
        completion: 200,
        total: 1300,
        cost: 1100 * 150 + 200 * 600,
      },
      { ...OK_ROW, attempt: 3 },
    ]);
    // The retry tells the model what was wrong.
    const second = fake.requests[1]!.json as { messages: { role: string; content: string }[] };
    expect(second.messages.at(-1)!.content).toContain('not JSON');
    const third = fake.requests[2]!.json as { messages: { role: string; content: string }[] };
    expect(third.messages.at(-1)!.content).toContain('overall');
  });

  it('gives up after the bounded number of invalid outputs', async () => {
    const oneScore = { ...validOutput, question_responses: [validOutput.question_responses[0]] };
    fake.script(
      'chat',
      ...Array.from({ length: 3 }, () => ({
        kind: 'chat' as const,
        content: oneScore,
        usage: { prompt_tokens: 10, completion_tokens: 5 },
      })),
    );
    const error = await failure(new OpenAIEvaluator(chat()).evaluate(input));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain('one entry for each index');
    expect(rows().map((r) => r.status)).toEqual(['invalid_output', 'invalid_output', 'invalid_output']);
  });

  it('treats a malformed HTTP body as invalid output and retries', async () => {
    fake.script('chat', { kind: 'malformed-body' }, ok());
    await new OpenAIEvaluator(chat()).evaluate(input);
    expect(rows().map((r) => [r.status, r.http, r.prompt, r.cost])).toEqual([
      ['invalid_output', 200, 0, 0],
      ['ok', 200, 1200, OK_ROW.cost],
    ]);
  });

  it('does not retry a refused key and names the setting to fix', async () => {
    fake.script('chat', { kind: 'status', status: 401 }, ok());
    const error = await failure(new OpenAIEvaluator(chat()).evaluate(input));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('ai.apiKey');
    expect(rows()).toHaveLength(1);
    fake.script('chat');
    await new OpenAIEvaluator(chat()).evaluate(input); // consumes the unused reply
  });

  it('prices with overrides and leaves unknown models unpriced', async () => {
    fake.script('chat', { ...ok(1000, 1000), model: 'my-llama' }, { ...ok(10, 10), model: 'mystery-model' });
    const c = chat(
      { model: 'my-llama' },
      new Pricing({ 'my-llama': { inputPerMTok: 1.25, outputPerMTok: 2 } }),
    );
    await new OpenAIEvaluator(c).evaluate(input);
    await new OpenAIEvaluator(c).evaluate(input);
    expect(rows().map((r) => r.cost)).toEqual([1000 * 1250 + 1000 * 2000, null]);
    expect(ledger.rollup('cumulative')[0]).toMatchObject({
      requests: 2,
      unpricedRequests: 1,
      totalTokens: 2020,
    });
  });

  it('transcribes a spoken answer and bills the audio duration', async () => {
    fake.script('transcription', {
      kind: 'transcription',
      text: 'I would add an index.',
      usage: { type: 'duration', seconds: 30 },
    });
    const text = await chat().transcribe({
      audio: Buffer.from('fake-webm-bytes'),
      fileName: 'answer.webm',
      mimeType: 'audio/webm',
      context: { sessionId: 'sess-1' },
    });
    expect(text).toBe('I would add an index.');
    expect(fake.requests[0]!.path).toBe('/v1/audio/transcriptions');
    expect(fake.requests[0]!.body).toContain('whisper-1');
    // whisper-1: $0.006 per minute → 30 s = $0.003 = 3,000,000 nano-dollars.
    expect(ledger.list()[0]).toMatchObject({
      requestType: 'transcription',
      audioSeconds: 30,
      costNanoUsd: 3_000_000,
    });
  });
});

describe('transcription failures', () => {
  it('retries a 500 from the transcription endpoint and records both requests', async () => {
    fake.script('transcription', { kind: 'status', status: 500 }, { kind: 'transcription', text: 'ok' });
    const text = await chat().transcribe({
      audio: Buffer.from('x'),
      fileName: 'a.ogg',
      mimeType: 'audio/ogg',
      context: {},
      audioSeconds: 6,
    });
    expect(text).toBe('ok');
    expect(sleeps).toEqual([250]);
    // No usage in the reply: the duration measured by Vigil is billed (6 s of whisper-1 = 600,000 nano-dollars).
    expect(rows().map((r) => [r.status, r.http, r.cost])).toEqual([
      ['http_error', 500, 0],
      ['ok', 200, 600_000],
    ]);
  });
});

describe('AI settings', () => {
  const ai = { model: 'gpt-4o-mini', pricing: {}, timeoutMs: 30_000 };
  it('uses OPENAI_API_KEY and OPENAI_BASE_URL when the config keys are unset', () => {
    expect(
      resolveAiSettings(ai, { OPENAI_API_KEY: 'k-env', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }),
    ).toMatchObject({
      apiKey: 'k-env',
      baseURL: 'http://127.0.0.1:9/v1',
      timeoutMs: 30_000,
    });
  });
  it('prefers the config keys and returns null without any key', () => {
    expect(
      resolveAiSettings(
        { ...ai, apiKey: 'k-cfg', baseUrl: 'http://127.0.0.1:8/v1' },
        { OPENAI_API_KEY: 'k-env', OPENAI_BASE_URL: 'http://x/v1' },
      ),
    ).toMatchObject({ apiKey: 'k-cfg', baseURL: 'http://127.0.0.1:8/v1' });
    expect(resolveAiSettings(ai, {})).toBeNull();
  });
});
