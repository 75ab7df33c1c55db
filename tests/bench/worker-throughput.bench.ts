// Benchmark (issue 18): central worker throughput and job pick-up latency, with real `vigil worker`
// processes on one PostgreSQL 15. Goals: two workers ≥ 1.8× one; pick-up p99 ≤ 1 s.
//
// Throughput: N sessions are filed in progress through the device ingest path, the workers start,
// then one ingest call finishes them all (their work becomes due in one transaction). Sessions per
// minute = (N − 1) / (last − first server_evaluations.created_at): the workers' steady rate, without
// their start-up. Each worker runs 4 jobs at once per queue (`--concurrency 4`, the default); each
// session is one evaluation job and one risk job. "openai300ms": the fake OpenAI server answers
// every call after 300 ms (a fast real model); "local": the local evaluator (CPU only).
//
// Pick-up latency: with the workers idle, sessions are finished one at a time (every 150 ms); the
// latency is the job's started_on (pg-boss, read as superuser) minus the moment just before the
// finishing ingest call was sent: trigger + NOTIFY + relay into the queue + a worker taking it.
import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { startCentral, type CentralFixture } from '../support/central';
import { startFakeOpenAI } from '../support/fake-openai';
import {
  fileFinishedSessions,
  finishSessions,
  scoredEvaluation,
  spawnWorker,
  stopWorker,
  waitFor,
  type WorkerProcess,
} from '../support/worker';
import { percentile, writeBenchResult } from './support/result';

const SESSIONS = Number(process.env.BENCH_WORKER_SESSIONS ?? 240);
const LATENCY_SAMPLES = 60;

const loadBefore = os.loadavg()[0]!;
const central: CentralFixture = await startCentral({ maxConnections: 100 });
const fake = await startFakeOpenAI();
fake.setDefault('chat', (req) => ({ kind: 'slow', delayMs: 300, then: scoredEvaluation(req) }));
const superuser = new pg.Client({ connectionString: central.pg.adminUrl });
await superuser.connect();
let loginCount = 0;

async function startWorkers(count: number, local: boolean): Promise<WorkerProcess[]> {
  const env = { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: fake.baseURL };
  const workers = await Promise.all(
    Array.from({ length: count }, () =>
      spawnWorker(central, `bench_worker_${++loginCount}`, {
        env,
        args: ['--concurrency', '4', ...(local ? ['--local'] : [])],
      }),
    ),
  );
  await Promise.all(workers.map((w) => w.started));
  return workers;
}

async function throughput(workerCount: number, local: boolean): Promise<number> {
  const device = await central.enroll();
  const ids = await fileFinishedSessions(central, device, SESSIONS, { finish: false });
  const workers = await startWorkers(workerCount, local);
  try {
    await finishSessions(central, device, ids);
    await waitFor(
      `${SESSIONS} evaluations`,
      async () =>
        (
          await central.owner.db
            .selectFrom('vigil.server_evaluations')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('session_id', 'in', ids)
            .executeTakeFirstOrThrow()
        ).n === String(SESSIONS),
      300_000,
    );
    const { rows } = await sql<{ span_s: number }>`
      SELECT extract(epoch FROM max(created_at) - min(created_at))::float8 AS span_s
      FROM vigil.server_evaluations WHERE session_id IN (${sql.join(ids)})`.execute(central.owner.db);
    return Math.round(((SESSIONS - 1) / rows[0]!.span_s) * 60);
  } finally {
    for (const w of workers) await stopWorker(w);
  }
}

async function pickupLatencies(): Promise<number[]> {
  const device = await central.enroll();
  const ids = await fileFinishedSessions(central, device, LATENCY_SAMPLES, { finish: false });
  const workers = await startWorkers(2, true);
  const sentAt = new Map<string, number>();
  try {
    for (const id of ids) {
      sentAt.set(id, Date.now());
      await finishSessions(central, device, [id]);
      await new Promise((r) => setTimeout(r, 150));
    }
    const started = await waitFor(
      'every latency job started',
      async () => {
        const { rows } = await superuser.query<{ session_id: string; started_ms: number }>(
          `SELECT data->>'sessionId' AS session_id, extract(epoch FROM started_on)::float8 * 1000 AS started_ms
           FROM vigil_jobs.job WHERE name = 'evaluate-session' AND started_on IS NOT NULL
             AND data->>'sessionId' = ANY($1)`,
          [ids],
        );
        return rows.length === ids.length && rows;
      },
      60_000,
    );
    return started.map((r) => r.started_ms - sentAt.get(r.session_id)!);
  } finally {
    for (const w of workers) await stopWorker(w);
  }
}

try {
  const openai1 = await throughput(1, false);
  const openai2 = await throughput(2, false);
  const local1 = await throughput(1, true);
  const local2 = await throughput(2, true);
  const latencies = await pickupLatencies();
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const ratioOpenai = openai2 / openai1;
  const ratioLocal = local2 / local1;
  writeBenchResult({
    name: 'worker-throughput',
    figures: {
      sessions: SESSIONS,
      concurrencyPerWorker: 4,
      openai300msOneWorkerPerMin: openai1,
      openai300msTwoWorkersPerMin: openai2,
      openai300msTwoToOneRatio: Math.round(ratioOpenai * 100) / 100,
      localOneWorkerPerMin: local1,
      localTwoWorkersPerMin: local2,
      localTwoToOneRatio: Math.round(ratioLocal * 100) / 100,
      pickupSamples: latencies.length,
      pickupP50Ms: Math.round(p50),
      pickupP99Ms: Math.round(p99),
      pickupMaxMs: Math.round(Math.max(...latencies)),
      loadAverage1mBefore: Math.round(loadBefore * 10) / 10,
      loadAverage1mAfter: Math.round(os.loadavg()[0]! * 10) / 10,
    },
    goals: {
      twoWorkersOpenai300ms: { target: '≥ 1.8× one worker', met: ratioOpenai >= 1.8 },
      twoWorkersLocal: { target: '≥ 1.8× one worker', met: ratioLocal >= 1.8 },
      pickupP99: { target: '≤ 1000 ms', met: p99 <= 1000 },
    },
    notes:
      'Real `vigil worker` child processes (tsx) on one PostgreSQL 15, 4 jobs at once per queue each; ' +
      'sessions filed through the device ingest functions; the machine has 2 cores shared by the ' +
      'PostgreSQL server, the workers and this process.',
  });
} finally {
  await superuser.end();
  await fake.close();
  await central.close();
}
