// Benchmark: overhead of Vigil's OpenAI client path (prompt building, openai SDK, zod validation of
// the structured output, token_usage row in SQLite) over a bare HTTP request with fetch to the same
// local OpenAI-protocol server. Goal from issue 6: overhead ≤ 10 %.
// The server answers instantly, so the ratio is the worst case; a real model takes 1–30 s per
// evaluation, against which the absolute overhead (reported in ms) is what matters.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenAIEvaluator } from '../../src-main/evaluation/openai-evaluator';
import { Pricing } from '../../src-main/evaluation/pricing';
import { StructuredChat } from '../../src-main/evaluation/structured-chat';
import { TokenLedger } from '../../src-main/evaluation/token-ledger';
import { openLocalDatabase } from '../../src-main/interview/local-db';
import { startFakeOpenAI, type FakeReply } from '../support/fake-openai';
import { sampleSession } from './support/interview-sample';
import { percentile, writeBenchResult } from './support/result';

const GOAL_RATIO = 1.1;
const RUNS = 300;
const SIMULATED_MODEL_MS = 20;

const output = {
  question_responses: sampleSession.responses.map((_, index) => ({
    index,
    score: 6,
    feedback: 'Reasonable answer.',
  })),
  professionalism: 70,
  subject_knowledge: 65,
  clarity: 72,
  overall: 68,
  traits: ['Structured'],
  suggestions: ['Give concrete numbers.'],
  feedback: 'Solid.',
};

const server = await startFakeOpenAI();
let delay = 0;
server.setDefault('chat', () => {
  const reply: FakeReply = {
    kind: 'chat',
    content: output,
    usage: { prompt_tokens: 1800, completion_tokens: 350 },
  };
  return delay > 0 ? { kind: 'slow', delayMs: delay, then: reply } : reply;
});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-openai-'));
const fileDb = await openLocalDatabase(path.join(dir, 'vigil.sqlite'));
const memDb = await openLocalDatabase(':memory:');
// Same file layout with synchronous=NORMAL (WAL): durable across app crashes, no fsync per commit.
const normalDb = await openLocalDatabase(path.join(dir, 'vigil-normal.sqlite'));
normalDb.sqlite.pragma('synchronous = NORMAL');

function evaluator(db: typeof fileDb): OpenAIEvaluator {
  return new OpenAIEvaluator(
    new StructuredChat({
      settings: {
        apiKey: 'sk-bench',
        baseURL: server.baseURL,
        model: 'gpt-4o-mini',
        transcriptionModel: undefined,
        timeoutMs: 10_000,
      },
      ledger: new TokenLedger(db.sqlite, new Pricing()),
    }),
  );
}
const vigilFile = evaluator(fileDb);
const vigilMem = evaluator(memDb);
const vigilNormal = evaluator(normalDb);

// The bare request sends exactly the body the SDK sent.
await vigilMem.evaluate(sampleSession);
const body = server.requests[0]!.body;
async function bare(): Promise<void> {
  const res = await fetch(`${server.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body,
  });
  const json = (await res.json()) as { choices: { message: { content: string } }[] };
  JSON.parse(json.choices[0]!.message.content);
}

const sdk = new StructuredChat({
  settings: {
    apiKey: 'sk-bench',
    baseURL: server.baseURL,
    model: 'gpt-4o-mini',
    transcriptionModel: undefined,
    timeoutMs: 10_000,
  },
  ledger: new TokenLedger(memDb.sqlite, new Pricing()),
}).client;
const parsedBody = JSON.parse(body) as Parameters<typeof sdk.chat.completions.create>[0] & { stream?: false };
/** The SDK alone: same request, no prompt building, validation or ledger. */
async function sdkOnly(): Promise<void> {
  const completion = await sdk.chat.completions.create({ ...parsedBody, stream: false });
  JSON.parse(completion.choices[0]!.message.content!);
}

type Variant = 'bare' | 'sdkOnly' | 'vigilFile' | 'vigilNormal' | 'vigilMem';
async function measure(label: string): Promise<Record<string, number>> {
  const t: Record<Variant, number[]> = {
    bare: [],
    sdkOnly: [],
    vigilFile: [],
    vigilNormal: [],
    vigilMem: [],
  };
  const steps: [Variant, () => Promise<unknown>][] = [
    ['bare', bare],
    ['sdkOnly', sdkOnly],
    ['vigilFile', () => vigilFile.evaluate(sampleSession)],
    ['vigilNormal', () => vigilNormal.evaluate(sampleSession)],
    ['vigilMem', () => vigilMem.evaluate(sampleSession)],
  ];
  for (let i = 0; i < 30; i++) for (const [, fn] of steps) await fn(); // warm-up
  // Interleaved so that machine noise hits all three alike.
  for (let i = 0; i < RUNS; i++) {
    for (const [name, fn] of steps) {
      const start = performance.now();
      await fn();
      t[name].push(performance.now() - start);
    }
  }
  const med = (xs: number[]) => Math.round(percentile(xs, 50) * 1000) / 1000;
  const r = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, med(v)])) as Record<Variant, number>;
  const ratio = (x: number) => Math.round((x / r.bare) * 1000) / 1000;
  return {
    [`${label}BareMedianMs`]: r.bare,
    [`${label}SdkOnlyMedianMs`]: r.sdkOnly,
    [`${label}VigilFullSyncMedianMs`]: r.vigilFile,
    [`${label}VigilNormalSyncMedianMs`]: r.vigilNormal,
    [`${label}VigilInMemoryLedgerMedianMs`]: r.vigilMem,
    [`${label}RatioSdkOnly`]: ratio(r.sdkOnly),
    [`${label}RatioFullSync`]: ratio(r.vigilFile),
    [`${label}RatioNormalSync`]: ratio(r.vigilNormal),
    [`${label}RatioInMemoryLedger`]: ratio(r.vigilMem),
  };
}

const instant = await measure('instant');
delay = SIMULATED_MODEL_MS;
const slow = await measure('model20ms');
await fileDb.close();
await memDb.close();
await normalDb.close();
await server.close();
fs.rmSync(dir, { recursive: true, force: true });

const instantRatio = instant.instantRatioNormalSync as number;
const slowRatio = slow.model20msRatioNormalSync as number;
const slowFull = slow.model20msRatioFullSync as number;
writeBenchResult({
  name: 'evaluation-openai',
  figures: { runs: RUNS, ...instant, ...slow },
  goals: {
    overheadInstantServerNormalSync: { target: `ratio ≤ ${GOAL_RATIO}`, met: instantRatio <= GOAL_RATIO },
    overheadWith20msModelNormalSync: { target: `ratio ≤ ${GOAL_RATIO}`, met: slowRatio <= GOAL_RATIO },
    overheadWith20msModelFullSync: { target: `ratio ≤ ${GOAL_RATIO}`, met: slowFull <= GOAL_RATIO },
  },
  notes:
    'Median of interleaved runs. "Vigil" = OpenAIEvaluator.evaluate(10-question session): prompt, openai SDK, zod validation, ' +
    'token_usage insert. Ledger variants: file DB with WAL + synchronous=FULL (one fsync per row, the store default), ' +
    'WAL + synchronous=NORMAL (no fsync per commit), in-memory. "SDK only" = the same request through the openai SDK, nothing else. ' +
    '"Bare" = fetch() of the same request body + JSON parsing. "instant" = server answers at once (worst case); ' +
    `"model20ms" = server waits ${SIMULATED_MODEL_MS} ms like a very fast model.`,
});
