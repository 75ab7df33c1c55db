// Token usage reaches central exactly once: an enrolled device evaluates a session through the
// OpenAI evaluator (against the local fake OpenAI server) and generates questions with no session;
// the uploader sends every ledger row to a real PostgreSQL, a redelivery (receipts lost after the
// server committed) changes nothing, and the admin roll-ups show the tokens and the cost.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Selectable } from 'kysely';
import { AdminService } from '../../../src-main/admin/admin-service';
import { createStaffLogin, createUser } from '../../../src-main/central/admin';
import { openPostgres, type CentralStore } from '../../../src-main/central/connect';
import type { TokenUsageTable } from '../../../src-main/central/schema';
import { evaluateNow } from '../../../src-main/session/after-session-jobs';
import { OpenAIEvaluator } from '../../../src-main/evaluation/openai-evaluator';
import { Pricing } from '../../../src-main/evaluation/pricing';
import { StructuredChat } from '../../../src-main/evaluation/structured-chat';
import { TokenLedger } from '../../../src-main/evaluation/token-ledger';
import { AiQuestionGenerator } from '../../../src-main/interview/question-generator';
import { InterviewSessionFlow } from '../../../src-main/interview/session-flow';
import { InterviewRepository } from '../../../src-main/interview/session-repository';
import { ExamSchema } from '../../../src-main/interview/types';
import { main } from '../../../src-main/cli/main';
import type { LocalStore } from '../../../src-main/store/local-store';
import { startSession } from '../../../src-main/store/sessions';
import { Uploader } from '../../../src-main/sync/uploader';
import { enrollLocalDevice, startCentral, type CentralFixture } from '../../support/central';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai';
import { ManualClock } from '../../support/manual-clock';
import { makeTempDir } from '../../support/temp-dir';

let central: CentralFixture;
let fake: FakeOpenAI;
let asAdmin: CentralStore;
const temp = makeTempDir('vigil-usage-sync-');
beforeAll(async () => {
  [central, fake] = await Promise.all([startCentral(), startFakeOpenAI()]);
  const adminId = await createUser(central.owner.db, { email: 'ada@admins.test', role: 'admin' });
  await createStaffLogin(central.owner.db, {
    userId: adminId,
    roleName: 'admin_ada',
    password: 'pw',
    group: 'vigil_admin',
  });
  asAdmin = openPostgres({ url: central.pg.urlFor('admin_ada'), sslMode: 'disable', maxConnections: 1 });
}, 60_000);
afterAll(async () => {
  await asAdmin?.close();
  await fake?.close();
  await central?.close();
  temp.cleanup();
});

const evaluation = {
  question_responses: [
    { index: 0, score: 8, feedback: 'Good.' },
    { index: 1, score: 3, feedback: 'Short.' },
  ],
  professionalism: 70,
  subject_knowledge: 60,
  clarity: 75,
  overall: 68,
  traits: ['Concise'],
  suggestions: ['Give an example.'],
  feedback: 'Solid.',
};

/** A central token_usage row as selected below (cost as exact text). */
type CentralUsageRow = Omit<Selectable<TokenUsageTable>, 'created_at'>;

async function centralUsage(): Promise<CentralUsageRow[]> {
  return central.owner.query<CentralUsageRow>(
    `SELECT id, user_id, exam_id, session_id, model, prompt_tokens, completion_tokens, total_tokens,
            request_type, cost::text AS cost
     FROM vigil.token_usage ORDER BY id`,
  );
}

/** central `cost` is numeric(12, 6): each row's exact nano-dollars rounded to micro-dollars. */
const micro = (nano: number | null) => (Math.floor(((nano ?? 0) + 500) / 1000) / 1e6).toFixed(6);

describe('token usage from a device to central PostgreSQL', () => {
  let store: LocalStore;
  afterAll(async () => {
    await store?.close();
  });

  it('arrives once per ledger row, survives a redelivery, and shows in the admin roll-ups', async () => {
    // An enrolled device with one session of its own.
    // A practice exam evaluated on the device: the device runs the evaluation job.
    const examId = await central.createExam('Usage exam', { practice: true, evaluation: 'device' });
    const dir = path.join(temp.dir, 'device');
    const enrolled = await enrollLocalDevice(central, { dir, examId, label: 'usage device' });
    store = enrolled.store;
    const { vault, candidateId } = enrolled;
    const sessionId = store.write('start', (tx) => startSession(tx, { examId }));

    // The app's wiring: ledger, chat, evaluator and the evaluation job on the store's own connection.
    const ledger = new TokenLedger(store, new Pricing());
    const chat = new StructuredChat({
      settings: {
        apiKey: 'sk-test',
        baseURL: fake.baseURL,
        model: 'gpt-4o-mini',
        transcriptionModel: undefined,
        timeoutMs: 5_000,
      },
      ledger,
      retry: { maxTransportAttempts: 3 },
      sleep: async () => {},
      random: () => 0,
    });
    const evaluator = new OpenAIEvaluator(chat);
    const clock = new ManualClock();
    const flow = InterviewSessionFlow.start(
      {
        repo: new InterviewRepository(store),
        clock,
        scheduler: clock,
        audioDir: dir,
      },
      {
        sessionId,
        userId: candidateId,
        exam: ExamSchema.parse({
          id: examId,
          title: 'Usage exam',
          type: 'SKL',
          difficulty: 5,
          key_questions: [
            { question: 'What is an index?', time_limit_s: 60 },
            { question: 'How do you test?', time_limit_s: 60 },
          ],
        }),
      },
    );
    flow.submit(flow.state().current!.id, 'A sorted structure that speeds up lookups.');
    flow.submit(flow.state().current!.id, 'Unit tests first.');
    flow.end();

    // A 500 (retried, billed nothing), an invalid answer (billed), then a valid one; prices are
    // chosen so that two rows round at central's micro-dollar precision.
    fake.script(
      'chat',
      { kind: 'status', status: 500 },
      { kind: 'chat', content: 'Sure! Here it is.', usage: { prompt_tokens: 1007, completion_tokens: 13 } },
      { kind: 'chat', content: evaluation, usage: { prompt_tokens: 1203, completion_tokens: 301 } },
    );
    await evaluateNow({ store, evaluator, sessionId });
    // Usage with no session: question generation (as `vigil questions` does).
    fake.script('chat', {
      kind: 'chat',
      content: {
        questions: [
          { question: 'Explain a join.', time_limit_s: 90 },
          { question: 'Explain a lock.', time_limit_s: 90 },
        ],
      },
      usage: { prompt_tokens: 400, completion_tokens: 120 },
    });
    await new AiQuestionGenerator(chat).generate({ type: 'SKL', difficulty: 5, count: 2 });

    const local = ledger.list();
    expect(local.map((r) => [r.status, r.requestType, r.totalTokens])).toEqual([
      ['http_error', 'evaluation', 0],
      ['invalid_output', 'evaluation', 1020],
      ['ok', 'evaluation', 1504],
      ['ok', 'question_generation', 520],
    ]);
    const queued = store.raw
      .prepare(
        `SELECT kind, idempotency_key, payload, bytes FROM outbox WHERE kind = 'token_usage' ORDER BY id`,
      )
      .all() as { kind: string; idempotency_key: string; payload: string; bytes: number }[];
    expect(queued.map((q) => q.idempotency_key)).toEqual(local.map((r) => `token_usage:${r.centralId}`));

    // The device was offline since January: the requests keep their own time centrally (0007), and
    // an explicit null session is usage with no session, not someone else's session.
    const offlineSince = '2026-01-15T10:00:00.000Z';
    store.raw
      .prepare(`UPDATE outbox SET payload = json_set(payload, '$.createdAt', ?) WHERE kind = 'token_usage'`)
      .run(offlineSince);
    store.raw
      .prepare(
        `UPDATE outbox SET payload = json_set(payload, '$.sessionId', json('null'))
         WHERE kind = 'token_usage' AND json_extract(payload, '$.requestType') = 'question_generation'`,
      )
      .run();

    // Sync: every row applied, none refused.
    const uploader = new Uploader({ store, channel: central.channel, token: () => vault.load() });
    const first = await uploader.syncOnce();
    expect(first).toMatchObject({ rejected: 0, duplicates: 0 });
    expect(uploader.status()).toMatchObject({ pendingItems: 0, rejectedItems: 0 });

    const expected = local
      .map((r) => ({
        id: r.centralId!,
        user_id: candidateId,
        exam_id: examId,
        session_id: r.requestType === 'evaluation' ? sessionId : null,
        model: 'gpt-4o-mini',
        prompt_tokens: r.promptTokens,
        completion_tokens: r.completionTokens,
        total_tokens: r.totalTokens,
        request_type: r.requestType,
        cost: micro(r.costNanoUsd),
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(await centralUsage()).toEqual(expected);
    const times = await central.owner.query<{ at: string }>(
      `SELECT DISTINCT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS at FROM vigil.token_usage`,
    );
    expect(times).toEqual([{ at: offlineSince.slice(0, 19) }]);
    // The exact local costs, and where central's rounding shows: 1007×150 + 13×600 = 158,850 nano.
    expect(local.map((r) => r.costNanoUsd)).toEqual([0, 158_850, 361_050, 132_000]);
    expect(expected.map((e) => e.cost).sort()).toEqual(['0.000000', '0.000132', '0.000159', '0.000361']);

    // Redelivery: the server committed but the device lost the receipts (a crash before it recorded
    // them), so the same items go again. Central applies none of them twice.
    store.write('receipts lost', (tx) => {
      for (const q of queued)
        tx.raw
          .prepare(
            `INSERT INTO outbox (kind, idempotency_key, payload, bytes, created_at) VALUES (?, ?, ?, ?, ?)`,
          )
          .run(q.kind, q.idempotency_key, q.payload, q.bytes, new Date().toISOString());
    });
    const again = await uploader.syncOnce();
    expect(again).toMatchObject({ sent: 4, applied: 0, duplicates: 4, rejected: 0 });
    expect(await centralUsage()).toEqual(expected);

    // The admin roll-ups (console and `vigil admin usage`) show what the device spent.
    const admin = new AdminService(asAdmin.query);
    const centralCost = expected.reduce((sum, e) => sum + Number(e.cost), 0);
    expect(await admin.list('usage', { examId })).toEqual([
      {
        exam_id: examId,
        exam_title: 'Usage exam',
        model: 'gpt-4o-mini',
        requests: 4,
        prompt_tokens: '2610',
        completion_tokens: '434',
        total_tokens: '3044',
        cost: 0.000652,
      },
    ]);
    const totals = await admin.usageTotals();
    expect(totals.totalTokens).toBe(3044);
    expect(totals.totalCost).toBeCloseTo(centralCost, 9);
    expect(totals.totalCost.toFixed(6)).toBe('0.000652');
    // Central rounds each row: 652 µ$ where the device's exact sum is 651.9 µ$.
    expect(local.reduce((sum, r) => sum + (r.costNanoUsd ?? 0), 0)).toBe(651_900);

    // `vigil admin usage`, in process, as the admin login.
    let out = '';
    const spy = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk) => ((out += String(chunk)), true));
    let exit: number;
    try {
      exit = await main([
        'node',
        'vigil',
        'admin',
        'usage',
        '--db',
        central.pg.urlFor('admin_ada'),
        '--ssl-mode',
        'disable',
        '--json',
      ]);
    } finally {
      spy.mockRestore();
    }
    expect(exit).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ totalTokens: 3044, totalCost: 0.000652 });
  });
});
