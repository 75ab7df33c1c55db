// The candidate closes the app right after finishing, while the evaluation, the PDF report and the
// uploads are still pending (here the AI provider has not answered yet). The next start of the
// runtime on the same data folder finishes them: the evaluation is made, the report PDF carries
// it, and everything reaches the central store. No Chromium: the contract is driven directly, on
// the embedded central store (PGlite) and a local server speaking the OpenAI protocol.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type VigilApp } from '../../../src-main/app/create-app';
import { loadConfig, type LoadedConfig } from '../../../src-main/config/load';
import { DEMO_ANSWERS, seedDemoCentral } from '../../../src-main/demo/seed-central';
import type { CallName, CallRequest, CallResponse } from '../../../src-preload/contract';
import { makeTempDir, memoryLogger } from '../../support/app';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai';
import { pdfText } from '../../support/pdf-tools';

const ctx = { transport: 'host' as const, origin: 'test' };
const evaluation = {
  question_responses: [0, 1, 2].map((index) => ({
    index,
    score: 7,
    feedback: `Answer ${index + 1} is concrete.`,
  })),
  professionalism: 71,
  subject_knowledge: 66,
  clarity: 74,
  overall: 69,
  traits: ['Methodical'],
  suggestions: ['Quantify results.'],
  feedback: 'Clear, structured answers.',
};

let dir: string;
let fake: FakeOpenAI;
let loaded: LoadedConfig;
const apps: VigilApp[] = [];

function start(): VigilApp {
  const app = createApp({ loaded, logger: memoryLogger([]), mode: 'host' });
  apps.push(app);
  return app;
}

async function call<C extends CallName>(app: VigilApp, name: C, request: CallRequest<C>) {
  const result = await app.dispatcher.dispatch(name, request, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as CallResponse<C>;
}

beforeAll(async () => {
  dir = makeTempDir('vigil-resume-after-close-');
  fake = await startFakeOpenAI();
  loaded = loadConfig({
    env: {
      VIGIL_DATA_DIR: path.join(dir, 'data'),
      VIGIL_AI_API_KEY: 'sk-test',
      VIGIL_AI_BASE_URL: fake.baseURL,
      VIGIL_AI_MODEL: 'gpt-4o-mini',
      // The first app's request must still be waiting when it closes (never answered, never timed out).
      VIGIL_AI_TIMEOUT_MS: '600000',
    },
    policyFile: path.join(dir, 'none.json'),
    home: dir,
  });
  expect(loaded.issues).toEqual([]);
  fs.mkdirSync(loaded.dataDir, { recursive: true });
});
afterAll(async () => {
  for (const app of apps) await app.close().catch(() => undefined);
  await fake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('work after a session, resumed at the next start', () => {
  it('finishes the evaluation, the PDF and the uploads a closed app left pending', async () => {
    // The provider is slow: the evaluation of the first run never gets its answer.
    fake.setDefault('chat', () => ({
      kind: 'slow',
      delayMs: 600_000,
      then: { kind: 'status', status: 503 },
    }));
    const first = start();
    const central = await first.context.candidate.central();
    const { examId, code } = await seedDemoCentral(central);
    // A practice exam evaluated on the device: its evaluation is the device's work to resume.
    await central.query(
      `UPDATE vigil.exams SET policy = policy || '{"practice": true, "evaluation": "device"}' WHERE id = $1`,
      [examId],
    );
    await call(first, 'candidateEnroll', { code });
    const { sessionId } = await call(first, 'candidateConsent', { examId, accepted: true });
    const check = await call(first, 'candidateSystemCheck', {
      sessionId,
      camera: { ok: true, label: 'Test camera' },
      microphone: { ok: true, label: 'Test microphone', peakDb: -20 },
      displays: 1,
      cpuProbeMs: 40,
    });
    expect(check.passed).toBe(true);
    let state = await call(first, 'candidateBeginInterview', { sessionId });
    while (state.question) {
      const text = DEMO_ANSWERS[state.question.index]!;
      state = await call(first, 'candidateSubmitAnswer', { sessionId, questionId: state.question.id, text });
    }
    expect(state.done).toBe(true);
    const finished = await call(first, 'candidateFinish', { sessionId });
    expect(finished.receipt?.sessionId).toBe(sessionId);
    // Closed at once: the evaluation is waiting for the provider, the report for the evaluation.
    await expect.poll(() => fake.requests.filter((r) => r.path.endsWith('/chat/completions')).length).toBe(1);
    const pending = await call(first, 'candidateFinishProgress', { sessionId });
    const itemState = (p: typeof pending, id: string) => p.items.find((i) => i.id === id)?.state;
    expect(itemState(pending, 'evaluation')).toBe('working');
    expect(itemState(pending, 'report')).toBe('waiting');
    await first.close();

    // The provider answers now; the app starts again on the same data folder. Its answer waits
    // until the new app has shown the session as still finishing (the resumed work starts with the
    // app and could otherwise be done before the first overview).
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    fake.setDefault('chat', () => ({
      kind: 'held',
      until: released,
      then: { kind: 'chat', content: evaluation, usage: { prompt_tokens: 1500, completion_tokens: 300 } },
    }));
    const second = start();
    const overview = await call(second, 'candidateOverview', {});
    expect(overview.activeSession).toMatchObject({ sessionId, stage: 'finish' });
    release();
    await expect
      .poll(
        async () => {
          const p = await call(second, 'candidateFinishProgress', { sessionId });
          return {
            evaluation: itemState(p, 'evaluation'),
            report: itemState(p, 'report'),
            pending: p.upload.pendingItems,
          };
        },
        { timeout: 120_000, interval: 500 },
      )
      .toEqual({ evaluation: 'done', report: 'done', pending: 0 });
    const done = await call(second, 'candidateFinishProgress', { sessionId });
    expect(done.items.find((i) => i.id === 'evaluation')?.detail).toBe('69 of 100 (openai)');

    // The report PDF carries the resumed evaluation.
    const store = await second.context.candidate.store();
    const pdf = store.raw
      .prepare(`SELECT path, sha256, status FROM blob_uploads WHERE session_id = ? AND kind = 'pdf'`)
      .all(sessionId) as { path: string; sha256: string; status: string }[];
    expect(pdf).toHaveLength(1);
    expect(pdf[0]!.status).toBe('done');
    const text = await pdfText(pdf[0]!.path);
    expect(text).toContain(sessionId);
    expect(text).toMatch(/\b69\b/);

    // Central store: the session, its whole evidence chain, and the PDF, each once.
    const centralAgain = await second.context.candidate.central();
    const [session] = await centralAgain.query<{ status: string; chain_seq: number }>(
      'SELECT status, chain_seq FROM vigil.sessions WHERE id = $1',
      [sessionId],
    );
    const local = store.raw.prepare('SELECT chain_seq FROM sessions WHERE id = ?').get(sessionId) as {
      chain_seq: number;
    };
    expect(session).toEqual({ status: 'completed', chain_seq: local.chain_seq });
    const blobs = await centralAgain.query<{ kind: string; sha256: string }>(
      `SELECT kind, encode(sha256, 'hex') AS sha256 FROM vigil.blobs
       WHERE session_id = $1 AND completed_at IS NOT NULL`,
      [sessionId],
    );
    expect(blobs.filter((b) => b.kind === 'pdf')).toEqual([{ kind: 'pdf', sha256: pdf[0]!.sha256 }]);
    const events = await centralAgain.query<{ kind: string }>(
      'SELECT kind FROM vigil.events WHERE session_id = $1 ORDER BY seq',
      [sessionId],
    );
    expect(events.map((e) => e.kind)).toContain('report_generated');
  }, 300_000);
});
