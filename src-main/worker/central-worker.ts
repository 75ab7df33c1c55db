// The trusted central worker (`vigil worker --central URL`): runs next to PostgreSQL, holds the AI
// key (its own config or environment, never a device's), and shares the work with any number of
// other workers through one pg-boss queue in schema vigil_jobs. pg-boss hands each job to one worker
// (FOR UPDATE SKIP LOCKED); a job whose worker dies is failed by expiry (`expireInSeconds` after it
// started, checked every `maintenanceIntervalSeconds` by whichever worker runs maintenance) and
// retried by another. Jobs: `evaluate-session` (server evaluation + token_usage rows) and
// `session-risk` (server risk from the warnings the server holds), `session-report` (the report of
// record, make-report.ts), `transcribe-answers` (server transcripts of spoken answers, from the
// audio the server holds) and `exam-questions` (an exam's generated questions, handed to devices by
// fetch_exam). All are idempotent, so a job run twice (taken over while its first worker was only
// slow) files nothing twice. Scheduled: `retention-purge` (retention-purge.ts) on the cron
// `worker.retentionCron`; pg-boss's timekeeper sends one job per cron tick whichever number of
// workers run (a tick is claimed in its version table, the job is a singleton per minute), and any
// one worker runs it.
import os from 'node:os';
import PgBoss from 'pg-boss';
import { listenPostgres, openPostgres, type CentralStore, type SslMode } from '../central/connect';
import type { VigilConfig } from '../config/schema';
import { pricingFromConfig, resolveAiSettings, type AiSettings } from '../evaluation/ai-settings';
import { LocalEvaluator } from '../evaluation/local-evaluator';
import { OpenAIEvaluator } from '../evaluation/openai-evaluator';
import { StructuredChat, type RetryPolicy } from '../evaluation/structured-chat';
import type { Evaluator } from '../evaluation/types';
import { AiQuestionGenerator, LocalQuestionGenerator } from '../interview/question-generator';
import { CentralUsageRecorder } from './central-usage';
import { evaluateCentralSession, type EvaluationOutcome } from './evaluate-session';
import { generateExamQuestions, type QuestionsOutcome } from './exam-questions';
import { makeCentralReport, type ReportOutcome } from './make-report';
import {
  JOBS_CHANNEL,
  QUEUES,
  relayRequests,
  REQUESTS_CHANNEL,
  type JobPolicy,
  type JobSubject,
} from './request-relay';
import { DEFAULT_RETENTION_CRON, RETENTION_QUEUE, runRetentionPurge } from './retention-purge';
import { fileServerRisk } from './server-risk';
import { transcribeCentralAnswers, type TranscriptionOutcome } from './transcribe-answer';
import { VigilError } from '../errors';
import type { ReportPageSize } from '../reports/types';

/** How often a start that PostgreSQL ended as a deadlock is tried again. */
const START_ATTEMPTS = 5;

/** PostgreSQL's deadlock_detected (40P01), whether or not a wrapper kept the code. */
function isDeadlock(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.code;
  const causeCode = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return (
    code === '40P01' || causeCode === '40P01' || /deadlock detected/.test(String((error as Error)?.message))
  );
}

/** The server went away (restart, failover, network): the query can be tried again later. */
function isConnectionLoss(error: unknown): boolean {
  const raw = (error as { code?: unknown } | null)?.code;
  const code = typeof raw === 'string' ? raw : '';
  return (
    /^(57P0[123]|08...)$/.test(code) ||
    /Connection terminated|not queryable|ECONNREFUSED|ECONNRESET/.test(String((error as Error)?.message))
  );
}

export interface CentralWorkerOptions {
  /** postgres:// URL of a worker login (createWorkerLogin: member of vigil_worker). */
  url: string;
  /** Explicit sslmode (--ssl-mode): wins over `sslmode=` in the URL. */
  sslMode?: SslMode;
  /** central.sslMode: used when neither --ssl-mode nor the URL says one. */
  defaultSslMode?: SslMode;
  caFile?: string;
  /** The worker's AI settings: `ai.*` of its own config, with OPENAI_API_KEY/OPENAI_BASE_URL. */
  ai: VigilConfig['ai'];
  env?: NodeJS.ProcessEnv;
  /** Evaluate with the local evaluator even when a key is configured. */
  local?: boolean;
  /** Shown in server_evaluations.evaluated_by; default host:pid. */
  workerId?: string;
  /** Jobs run at once in this process (per queue). */
  concurrency?: number;
  pollingIntervalSeconds?: number;
  maintenanceIntervalSeconds?: number;
  /** Periodic relay sweep, in case a NOTIFY was missed. */
  sweepIntervalMs?: number;
  jobs?: Partial<JobPolicy>;
  /** Page size of the reports it makes (`report.pageSize` of its config). */
  reportPageSize?: ReportPageSize;
  retry?: Partial<RetryPolicy>;
  /**
   * Cron (UTC) of the retention purge and credential expiry, shared by every worker of the
   * deployment (the last worker started sets it); 'off' removes the schedule. Default hourly.
   */
  retentionCron?: string;
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { kind: 'started'; workerId: string; evaluator: string; model: string }
  | { kind: 'evaluated'; sessionId: string; outcome: EvaluationOutcome; jobId: string }
  | { kind: 'risk'; sessionId: string; score: number; jobId: string }
  | ({ kind: 'report'; sessionId: string; jobId: string } & ReportOutcome)
  | { kind: 'transcribed'; sessionId: string; outcome: TranscriptionOutcome; jobId: string }
  | { kind: 'questions'; examId: string; outcome: QuestionsOutcome; jobId: string }
  | { kind: 'relayed'; jobs: number }
  | { kind: 'skipped'; queue: string; sessionId: string; jobId: string; reason: string }
  | {
      kind: 'retention';
      jobId: string;
      purgedSessions: number;
      blobBytes: number;
      expiredDevices: number;
      receipts: string[];
    }
  | { kind: 'error'; message: string };

export interface RunningWorker {
  workerId: string;
  evaluator: Evaluator;
  /** Moves pending requests into the queue now (also runs on NOTIFY and every sweep). */
  relay(): Promise<number>;
  stop(): Promise<void>;
}

export const DEFAULT_JOB_POLICY: JobPolicy = {
  // Longer than an evaluation can take: 4 attempts of the 60 s AI timeout with backoff.
  expireInSeconds: 600,
  retryLimit: 5,
  retryDelaySeconds: 30,
};

async function scheduleRetention(boss: PgBoss, cron: string, policy: JobPolicy): Promise<void> {
  if (cron.trim() === 'off') {
    await boss.unschedule(RETENTION_QUEUE);
    return;
  }
  try {
    await boss.schedule(
      RETENTION_QUEUE,
      cron,
      {},
      {
        tz: 'UTC',
        expireInSeconds: Math.max(policy.expireInSeconds, 3600),
        retryLimit: policy.retryLimit,
        retryDelay: policy.retryDelaySeconds,
      },
    );
  } catch (error) {
    if (isDeadlock(error)) throw error;
    throw new VigilError(
      'CONFIG_INVALID',
      `worker.retentionCron "${cron}" is not a cron expression pg-boss accepts (${(error as Error).message}). ` +
        "Use five fields in UTC, e.g. '23 * * * *' for hourly, or 'off'.",
      { key: 'worker.retentionCron' },
      { cause: error },
    );
  }
}

export async function startCentralWorker(options: CentralWorkerOptions): Promise<RunningWorker> {
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}`;
  const concurrency = options.concurrency ?? 4;
  const policy: JobPolicy = { ...DEFAULT_JOB_POLICY, ...options.jobs };
  const emit = options.onEvent ?? (() => undefined);
  const sslOptions = {
    ...(options.sslMode ? { sslMode: options.sslMode } : {}),
    ...(options.defaultSslMode ? { defaultSslMode: options.defaultSslMode } : {}),
  };
  const store: CentralStore = openPostgres({
    url: options.url,
    ...sslOptions,
    ...(options.caFile ? { caFile: options.caFile } : {}),
    maxConnections: concurrency * 2 + 3,
  });
  const pricing = pricingFromConfig(options.ai);
  const settings: AiSettings | null = options.local ? null : resolveAiSettings(options.ai, options.env);
  // One recorder per job, so a job waits for (and answers for) its own usage rows only. The clients
  // share the process's keep-alive pool (the SDK uses the global fetch).
  const evaluatorFor = (usage: CentralUsageRecorder): Evaluator =>
    settings
      ? new OpenAIEvaluator(new StructuredChat({ settings, ledger: usage, retry: options.retry }))
      : new LocalEvaluator();
  const evaluator = evaluatorFor(new CentralUsageRecorder(store.db, pricing));
  const chatFor = (usage: CentralUsageRecorder): StructuredChat | null =>
    settings ? new StructuredChat({ settings, ledger: usage, retry: options.retry }) : null;

  const newBoss = () => {
    const created = new PgBoss({
      db: { executeSql: async (text, values) => ({ rows: await store.query(text, values) }) },
      schema: 'vigil_jobs',
      // The timekeeper: cron schedules (vigil_jobs.schedule) become jobs, one per tick.
      schedule: true,
      // How often the workers look for a due tick (one of them claims it): a schedule written at
      // start is acted on within seconds, not pg-boss's default 30.
      cronMonitorIntervalSeconds: 10,
      supervise: true,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
      monitorStateIntervalSeconds: 60,
    });
    created.on('error', (error: Error) => emit({ kind: 'error', message: error.message }));
    return created;
  };
  // pg-boss 10.4.2 marks a finished job complete or failed without awaiting it (manager.js, its
  // onFetch): when the server goes away while a job runs, that rejection is unhandled and Node would
  // end the worker. Such a job stays active and is taken back by expiry like a dead worker's; any
  // other unhandled rejection still ends the process.
  const onUnhandled = (reason: unknown) => {
    if (!isConnectionLoss(reason)) throw reason;
    emit({
      kind: 'error',
      message: `a job's state could not be saved (${(reason as Error).message}); it runs again after its expiry`,
    });
  };
  process.on('unhandledRejection', onUnhandled);
  let boss = newBoss();
  let listener: { close(): Promise<void> } | null = null;
  let sweep: NodeJS.Timeout | null = null;
  const workIds: string[] = [];
  try {
    // Workers starting together race on pg-boss's tables (a new queue's partition is attached
    // while another worker's maintenance reads the job table), which PostgreSQL can end as a
    // deadlock: start again on a fresh instance instead of exiting.
    for (let attempt = 1; ; attempt++) {
      try {
        await boss.start();
        for (const name of Object.values(QUEUES)) await boss.createQueue(name);
        // stately: one waiting and one running at most, so ticks missed while every worker was
        // down do not pile up into a row of purges.
        await boss.createQueue(RETENTION_QUEUE, { name: RETENTION_QUEUE, policy: 'stately' });
        await scheduleRetention(boss, options.retentionCron ?? DEFAULT_RETENTION_CRON, policy);
        break;
      } catch (error) {
        if (!isDeadlock(error) || attempt >= START_ATTEMPTS) throw error;
        emit({ kind: 'error', message: `start: ${(error as Error).message}; starting again` });
        await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
        boss = newBoss();
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt + Math.random() * 250));
      }
    }

    const sessionExists = async (sessionId: string): Promise<boolean> =>
      (
        await store.query<{ found: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM vigil.sessions WHERE id = $1::uuid) AS found`,
          [sessionId],
        )
      )[0]?.found === true;
    const work = async <T>(
      queue: string,
      handle: (sessionId: string, jobId: string, subject: JobSubject) => Promise<T>,
      runners = concurrency,
    ) => {
      for (let i = 0; i < runners; i++) {
        let id = '';
        id = await boss.work<JobSubject>(
          queue,
          { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 },
          async ([job]) => {
            if (!job) return;
            try {
              await handle(job.data.sessionId ?? '', job.id, job.data);
            } catch (error) {
              // The retention purge removed the session after its job was queued (its requests go
              // with it, the queued job does not): nothing is left to do, and a retry would fail
              // the same way until pg-boss gives up. The job completes and the operator is told.
              if (job.data.sessionId && !(await sessionExists(job.data.sessionId))) {
                emit({
                  kind: 'skipped',
                  queue,
                  sessionId: job.data.sessionId,
                  jobId: job.id,
                  reason: 'the session is no longer on the central server (purged)',
                });
                return;
              }
              // pg-boss fails the job and retries it (retryLimit, retryDelay); the operator sees why.
              const subject = job.data.sessionId
                ? `session ${job.data.sessionId}`
                : `exam ${job.data.examId}`;
              emit({
                kind: 'error',
                message: `${queue} for ${subject} failed: ${(error as Error).message}`,
              });
              throw error;
            }
            // Had a job: look for the next one at once instead of after the polling interval.
            boss.notifyWorker(id);
          },
        );
        workIds.push(id);
      }
    };
    await work(QUEUES.evaluate, async (sessionId, jobId) => {
      const usage = new CentralUsageRecorder(store.db, pricing);
      const outcome = await evaluateCentralSession({
        db: store.db,
        usage,
        evaluator: evaluatorFor(usage),
        sessionId,
        workerId,
        jobId,
      });
      emit({ kind: 'evaluated', sessionId, outcome, jobId });
    });
    await work(QUEUES.risk, async (sessionId, jobId) => {
      const risk = await fileServerRisk(store.db, sessionId);
      emit({ kind: 'risk', sessionId, score: risk.score, jobId });
    });
    await work(QUEUES.transcribe, async (sessionId, jobId) => {
      const usage = new CentralUsageRecorder(store.db, pricing);
      const chat = settings?.transcriptionModel ? chatFor(usage) : null;
      const outcome = await transcribeCentralAnswers({
        db: store.db,
        transcriber: chat,
        model: settings?.transcriptionModel ?? null,
        usage,
        sessionId,
        workerId,
        jobId,
      });
      emit({ kind: 'transcribed', sessionId, outcome, jobId });
    });
    await work(QUEUES.questions, async (_sessionId, jobId, { examId }) => {
      const usage = new CentralUsageRecorder(store.db, pricing);
      const chat = chatFor(usage);
      const outcome = await generateExamQuestions({
        db: store.db,
        generator: chat ? new AiQuestionGenerator(chat) : new LocalQuestionGenerator(),
        model: chat ? (settings?.model ?? null) : null,
        usage,
        examId: examId ?? '',
        workerId,
        jobId,
      });
      emit({ kind: 'questions', examId: examId ?? '', outcome, jobId });
    });
    await work(
      QUEUES.report,
      async (sessionId, jobId) => {
        const made = await makeCentralReport({
          db: store.db,
          sessionId,
          workerId,
          jobId,
          ...(options.reportPageSize ? { pageSize: options.reportPageSize } : {}),
        });
        emit({ kind: 'report', sessionId, jobId, ...made });
      },
      // Drawing a PDF is synchronous work on this process's event loop: one at a time, so it never
      // holds up the evaluation and risk jobs (and their expiry) for long. More workers, more reports.
      1,
    );
    // One poller per process: the job is one at a time for the whole deployment anyway.
    workIds.push(
      await boss.work(
        RETENTION_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 },
        async ([job]) => {
          if (!job) return;
          try {
            const run = await runRetentionPurge(store.db, workerId);
            emit({ kind: 'retention', jobId: job.id, ...run });
          } catch (error) {
            emit({ kind: 'error', message: `${RETENTION_QUEUE} failed: ${(error as Error).message}` });
            throw error;
          }
        },
      ),
    );
  } catch (error) {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    await store.close();
    process.off('unhandledRejection', onUnhandled);
    throw error;
  }

  let relaying: Promise<number> | null = null;
  let again = false;
  const relay = async (): Promise<number> => {
    if (relaying) {
      again = true;
      return relaying;
    }
    relaying = (async () => {
      let total = 0;
      do {
        again = false;
        for (;;) {
          const moved = await relayRequests(store.db, boss, policy);
          total += moved;
          if (moved === 0) break;
        }
      } while (again);
      if (total > 0) {
        emit({ kind: 'relayed', jobs: total });
        for (const id of workIds) boss.notifyWorker(id);
      }
      return total;
    })().finally(() => {
      relaying = null;
    });
    return relaying;
  };
  const relaySafely = () =>
    void relay().catch((error: unknown) => emit({ kind: 'error', message: (error as Error).message }));

  // The LISTEN connection: after a server restart it is opened again (the sweep relays meanwhile).
  let stopping = false;
  let relisten: NodeJS.Timeout | null = null;
  const listen = async (): Promise<void> => {
    listener = await listenPostgres(
      {
        url: options.url,
        ...sslOptions,
        ...(options.caFile ? { caFile: options.caFile } : {}),
      },
      [REQUESTS_CHANNEL, JOBS_CHANNEL],
      (channel) => {
        if (channel === REQUESTS_CHANNEL) relaySafely();
        else for (const id of workIds) boss.notifyWorker(id);
      },
      (error) => {
        emit({ kind: 'error', message: `listener: ${error.message}` });
        const dead = listener;
        listener = null;
        void dead?.close().catch(() => undefined);
        if (!stopping && !relisten) relisten = setTimeout(retryListen, 1000);
      },
    );
  };
  const retryListen = () => {
    relisten = null;
    if (stopping) return;
    listen().then(relaySafely, (error: unknown) => {
      emit({ kind: 'error', message: `listener: ${(error as Error).message}` });
      if (!stopping) relisten = setTimeout(retryListen, 1000);
    });
  };
  await listen();
  sweep = setInterval(relaySafely, options.sweepIntervalMs ?? 5000);
  relaySafely();
  emit({ kind: 'started', workerId, evaluator: evaluator.kind, model: evaluator.model });

  return {
    workerId,
    evaluator,
    relay,
    stop: async () => {
      stopping = true;
      if (sweep) clearInterval(sweep);
      if (relisten) clearTimeout(relisten);
      await listener?.close().catch(() => undefined);
      // Graceful: running jobs finish (and complete) before the connections close.
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
      await relaying?.catch(() => undefined);
      await store.close();
      process.off('unhandledRejection', onUnhandled);
    },
  };
}
