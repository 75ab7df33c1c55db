// Issue 18 item 1's proof: two `vigil worker` processes on one PostgreSQL evaluate 200 sessions
// finished through the device ingest path, each exactly once, with one token_usage row per AI call
// made on the fake OpenAI server (which sees the worker's key; the device never has one), and file
// the server's risk with its factors. Then kill -9 of one worker mid-batch: the other finishes its
// jobs after their expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ReviewService } from '../../../src-main/review/review-service';
import { openPostgres } from '../../../src-main/central/connect';
import { startCentral, type CentralFixture, type EnrolledTestDevice } from '../../support/central';
import { runVigil } from '../../support/cli';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai';
import { makeTempDir } from '../../support/temp-dir';
import {
  fileFinishedSessions,
  scoredEvaluation,
  spawnWorker,
  stopWorker,
  waitFor,
  type WorkerProcess,
} from '../../support/worker';

const KEY = 'sk-worker-only-7f3a';
// A killed worker's jobs come back 3 s after they started (checked every second), retried at once.
const FAST_TAKEOVER = [
  '--concurrency',
  '4',
  '--expire-seconds',
  '3',
  '--maintenance-seconds',
  '1',
  '--retry-delay-seconds',
  '0',
];

let central: CentralFixture;
let fake: FakeOpenAI;
const workers: WorkerProcess[] = [];

async function evaluationsOf(sessionIds: string[]) {
  return central.owner.db
    .selectFrom('vigil.server_evaluations')
    .select(['session_id', 'evaluator', 'model', 'evaluated_by', 'overall', 'question_responses'])
    .where('session_id', 'in', sessionIds)
    .execute();
}

async function usageRows(sessionIds: string[]) {
  return central.owner.db
    .selectFrom('vigil.token_usage')
    .select(['id', 'session_id', 'request_type', 'prompt_tokens', 'completion_tokens', 'cost'])
    .where('session_id', 'in', sessionIds)
    .execute();
}

/** Chat calls the fake provider received after the first `from` (the prompt does not name the session). */
const chatCalls = (from = 0) => fake.requests.filter((r) => r.path.endsWith('/chat/completions')).slice(from);

beforeAll(async () => {
  central = await startCentral();
  fake = await startFakeOpenAI();
}, 60_000);

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await fake?.close();
  await central?.close();
});

describe('vigil worker on one PostgreSQL', () => {
  // One device for every case, enrolled up front so each case stands on its own.
  let device: EnrolledTestDevice;
  beforeAll(async () => {
    device = await central.enroll();
  });

  it('two workers evaluate 200 finished sessions exactly once, one usage row per AI call, and file the server risk', async () => {
    fake.setDefault('chat', scoredEvaluation);
    const env = { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: fake.baseURL };
    const a = await spawnWorker(central, 'worker_a', { env, args: FAST_TAKEOVER });
    const b = await spawnWorker(central, 'worker_b', { env, args: FAST_TAKEOVER });
    workers.push(a, b);
    await Promise.all([a.started, b.started]);

    const ids = await fileFinishedSessions(central, device, 200);
    const evaluations = await waitFor('200 server evaluations', async () => {
      const rows = await evaluationsOf(ids);
      return rows.length === 200 && rows;
    });
    // Risk jobs run next to the evaluations; wait for the last ones.
    const risks = await waitFor('200 server risk scores', async () => {
      const rows = await central.owner.db
        .selectFrom('vigil.sessions')
        .select(['id', 'server_risk_score', 'server_risk_factors', 'risk_score'])
        .where('id', 'in', ids)
        .where('server_risk_score', 'is not', null)
        .execute();
      return rows.length === 200 && rows;
    });

    // Exactly once: one evaluation per session, each from the AI model, shared by both workers.
    expect(new Set(evaluations.map((e) => e.session_id)).size).toBe(200);
    expect(evaluations.every((e) => e.evaluator === 'openai' && e.overall === 74)).toBe(true);
    expect([...new Set(evaluations.map((e) => e.evaluated_by))].sort()).toEqual(['worker_a', 'worker_b']);
    expect(evaluations[0]!.question_responses).toHaveLength(2);

    // One AI call per session, one token_usage row per call, none twice, priced.
    const calls = chatCalls();
    const usage = await usageRows(ids);
    expect(calls).toHaveLength(200);
    expect(usage).toHaveLength(200);
    expect(new Set(usage.map((u) => u.session_id)).size).toBe(200);
    expect(usage.every((u) => u.request_type === 'evaluation' && u.prompt_tokens === 420)).toBe(true);
    expect(Number(usage[0]!.cost)).toBeGreaterThan(0);

    // The fake provider saw the worker's key on every call; the device got nothing of it.
    expect(calls.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    const exam = await central.channel.fetchExam(device.token);
    expect(JSON.stringify(exam)).not.toContain(KEY);

    // Server risk from the server's warnings, with the factor that explains it; the device sent none.
    for (const s of risks) {
      const factors = s.server_risk_factors as unknown as {
        score: number;
        factors: { type: string; points: number }[];
      };
      expect(Number(s.server_risk_score)).toBeGreaterThan(0);
      expect(factors.factors).toHaveLength(1);
      expect(factors.factors[0]!.type).toBe('no_face');
      expect(s.risk_score).toBeNull();
    }
    // The proctor's console shows the server's values and says so.
    const proctor = await central.createProctor('proctor_w', [device.examId]);
    const console_ = new ReviewService(proctor.store.query);
    const page = await console_.queue({ examId: device.examId, limit: 5 });
    expect(page.rows.every((r) => r.riskSource === 'server' && r.riskScore! > 0)).toBe(true);
    const review = await console_.load(ids[0]!);
    expect(review.session.riskSource).toBe('server');
    expect(review.session.risk?.factors[0]?.type).toBe('no_face');
    expect(review.evaluation).toMatchObject({ source: 'server', evaluator: 'openai', overall: 74 });
    expect(review.answers.map((a) => a.score)).toEqual([7, 7]);

    // Every request became a job (the report requests the last evaluations raised included).
    await waitFor('every request relayed', async () => {
      const { rows: pending } = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM vigil.worker_requests`.execute(central.owner.db);
      return pending[0]!.n === 0;
    });
  }, 90_000);

  it('kill -9 of one worker mid-batch: the other takes over its jobs and every session is evaluated once', async () => {
    // 300 ms per AI call, as in the benchmark: the batch is long enough to kill a worker inside it.
    fake.setDefault('chat', (req) => ({ kind: 'slow', delayMs: 300, then: scoredEvaluation(req) }));
    const [a, b] = workers as [WorkerProcess, WorkerProcess];
    const before = chatCalls().length;
    const ids = await fileFinishedSessions(central, device, 200);
    const idSet = new Set(ids);
    await waitFor('30 evaluations before the kill', async () => {
      const done = a.events.filter((e) => e.kind === 'evaluated' && idSet.has(e.sessionId as string));
      return done.length >= 15 && (await evaluationsOf(ids)).length >= 30;
    });
    a.child.kill('SIGKILL');
    await new Promise((resolve) => a.child.once('exit', resolve));
    const callsAtKill = chatCalls(before).length;

    const evaluations = await waitFor(
      'all 200 evaluated after the kill',
      async () => {
        const rows = await evaluationsOf(ids);
        return rows.length === 200 && rows;
      },
      60_000,
    );
    expect(new Set(evaluations.map((e) => e.session_id)).size).toBe(200);
    const byA = evaluations.filter((e) => e.evaluated_by === 'worker_a').length;
    expect(byA).toBeGreaterThanOrEqual(15);
    expect(byA).toBeLessThan(200);

    // Every usage row is a call the provider saw, once. The only calls without a row are the ones
    // worker_a had in flight when it was killed (at most its concurrency); worker_b made them again.
    const calls = chatCalls(before);
    const usage = await usageRows(ids);
    expect(new Set(usage.map((u) => u.id)).size).toBe(usage.length);
    expect(usage.length).toBeLessThanOrEqual(calls.length);
    expect(calls.length - usage.length).toBeLessThanOrEqual(4);
    expect(calls.length).toBeGreaterThan(callsAtKill);
    expect(calls.length).toBeLessThanOrEqual(200 + 4);
    await stopWorker(b);
  }, 90_000);

  it('with --local, the server evaluates with the local evaluator: labelled as such, no AI call, no usage row', async () => {
    const local = await spawnWorker(central, 'worker_local', { args: [...FAST_TAKEOVER, '--local'] });
    workers.push(local);
    await local.started;
    const before = chatCalls().length;
    const ids = await fileFinishedSessions(central, device, 5);
    const evaluations = await waitFor('5 local server evaluations', async () => {
      const rows = await evaluationsOf(ids);
      return rows.length === 5 && rows;
    });
    expect(evaluations.every((e) => e.evaluator === 'local' && e.evaluated_by === 'worker_local')).toBe(true);
    const { label } = await central.owner.db
      .selectFrom('vigil.server_evaluations')
      .select('label')
      .where('session_id', '=', ids[0]!)
      .executeTakeFirstOrThrow();
    expect(label).toMatch(/^Local heuristic evaluation \(no AI model\)/);
    expect(chatCalls(before)).toHaveLength(0);
    expect(await usageRows(ids)).toHaveLength(0);
    await stopWorker(local);
  }, 60_000);

  it('a worker login reads what evaluation and risk need and writes only the server columns', async () => {
    const asWorker = openPostgres({
      url: central.pg.urlFor('worker_a'),
      sslMode: 'disable',
      maxConnections: 1,
    });
    try {
      const [session] = await asWorker.query<{ id: string }>(`SELECT id FROM vigil.sessions LIMIT 1`);
      expect(session).toBeDefined();
      const refused = async (text: string) => {
        const error = await asWorker.query(text, []).then(
          () => null,
          (e: Error) => e,
        );
        expect(error?.message, text).toMatch(/permission denied/);
      };
      await refused(`SELECT * FROM vigil.events LIMIT 1`);
      // Audio it transcribes is readable (blobs, migration 0450); the conversation is not.
      await refused(`SELECT * FROM vigil.messages LIMIT 1`);
      // Verdicts are read for the report (central 0440), never written.
      await refused(`UPDATE vigil.reviews SET comment = ''`);
      await refused(`UPDATE vigil.sessions SET risk_score = 0 WHERE id = '${session!.id}'`);
      await refused(`UPDATE vigil.sessions SET status = 'terminated' WHERE id = '${session!.id}'`);
      await refused(`DELETE FROM vigil.server_evaluations`);
      await refused(`INSERT INTO vigil.evaluations (id, session_id, professionalism, subject_knowledge, clarity,
        overall, evaluator) VALUES (gen_random_uuid(), '${session!.id}', 1, 1, 1, 1, 'local')`);
    } finally {
      await asWorker.close();
    }
  });

  it('a worker added with `vigil admin add-worker` keeps working across a PostgreSQL restart', async () => {
    // This worker's login is made the way an administrator makes one.
    const added = runVigil(
      [
        'admin',
        'add-worker',
        '--db',
        central.pg.url,
        '--ssl-mode',
        'disable',
        '--login',
        'worker_restart',
        '--json',
      ],
      { VIGIL_WORKER_PASSWORD: 'worker-restart-pw-1' },
    );
    expect(added.status, added.stderr).toBe(0);
    const w = await spawnWorker(central, 'worker_restart', {
      args: [...FAST_TAKEOVER, '--local'],
      newLogin: false,
      password: 'worker-restart-pw-1',
    });
    workers.push(w);
    await w.started;
    await central.pg.pause();
    await new Promise((r) => setTimeout(r, 1000));
    await central.pg.resume();
    const ids = await waitFor(
      'the device ingest path back',
      () => fileFinishedSessions(central, device, 3).catch(() => null),
      20_000,
    );
    const evaluations = await waitFor(
      '3 evaluations after the restart',
      async () => {
        const rows = await evaluationsOf(ids);
        return rows.length === 3 && rows;
      },
      30_000,
    );
    expect(evaluations.every((e) => e.evaluated_by === 'worker_restart')).toBe(true);
    await stopWorker(w);
  }, 60_000);

  it('refuses to start without a central server, saying how to give one', () => {
    const home = makeTempDir('vigil-worker-cli-');
    try {
      const run = runVigil(['worker'], { HOME: home.dir, VIGIL_DATA_DIR: home.dir, VIGIL_CENTRAL_URL: '' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('pass --central postgres://');
    } finally {
      home.cleanup();
    }
  });

  it('a refused AI call fails the job, is billed as a call, and the retry evaluates the session once', async () => {
    fake.script('chat', { kind: 'status', status: 401, message: 'invalid api key' });
    const w = await spawnWorker(central, 'worker_retry', {
      env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: fake.baseURL },
      args: FAST_TAKEOVER,
    });
    workers.push(w);
    await w.started;
    const before = chatCalls().length;
    const [id] = await fileFinishedSessions(central, device, 1);
    const [evaluation] = await waitFor('the retried evaluation', async () => {
      const rows = await evaluationsOf([id!]);
      return rows.length === 1 && rows;
    });
    expect(evaluation).toMatchObject({ evaluator: 'openai', evaluated_by: 'worker_retry' });
    const failure = w.events.find((e) => e.kind === 'error');
    expect(failure?.message).toMatch(/evaluate-session for session .* failed: .*refused the API key/);
    // Two calls (the refused one and the retry), two usage rows: the refused one with no tokens.
    expect(chatCalls(before)).toHaveLength(2);
    const usage = await usageRows([id!]);
    expect(usage.map((u) => u.prompt_tokens).sort((a, b) => a - b)).toEqual([0, 420]);
    await stopWorker(w);
  }, 60_000);
});
