// The trusted central worker (`vigil worker --central URL`): runs next to PostgreSQL, holds the AI
// key (its own config or environment, never a device's), and shares the work with any number of
// other workers through one pg-boss queue in schema vigil_jobs. pg-boss hands each job to one worker
// (FOR UPDATE SKIP LOCKED); a job whose worker dies is failed by expiry (`expireInSeconds` after it
// started, checked every `maintenanceIntervalSeconds` by whichever worker runs maintenance) and
// retried by another. Jobs: `evaluate-session` (server evaluation + token_usage rows) and
// `session-risk` (server risk from the warnings the server holds), `transcribe-answers` (server
// transcripts of spoken answers, from the audio the server holds) and `exam-questions` (an exam's
// generated questions, handed to devices by fetch_exam). All are idempotent, so a job run twice
// (taken over while its first worker was only slow) files nothing twice.
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
import {
  JOBS_CHANNEL,
  QUEUES,
  relayRequests,
  REQUESTS_CHANNEL,
  type JobPolicy,
  type JobSubject,
} from './request-relay';
import { fileServerRisk } from './server-risk';
import { transcribeCentralAnswers, type TranscriptionOutcome } from './transcribe-answer';

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

export interface CentralWorkerOptions {
  /** postgres:// URL of a worker login (createWorkerLogin: member of vigil_worker). */
  url: string;
  sslMode?: SslMode;
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
  retry?: Partial<RetryPolicy>;
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { kind: 'started'; workerId: string; evaluator: string; model: string }
  | { kind: 'evaluated'; sessionId: string; outcome: EvaluationOutcome; jobId: string }
  | { kind: 'risk'; sessionId: string; score: number; jobId: string }
  | { kind: 'transcribed'; sessionId: string; outcome: TranscriptionOutcome; jobId: string }
  | { kind: 'questions'; examId: string; outcome: QuestionsOutcome; jobId: string }
  | { kind: 'relayed'; jobs: number }
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

export async function startCentralWorker(options: CentralWorkerOptions): Promise<RunningWorker> {
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}`;
  const concurrency = options.concurrency ?? 4;
  const policy: JobPolicy = { ...DEFAULT_JOB_POLICY, ...options.jobs };
  const emit = options.onEvent ?? (() => undefined);
  const store: CentralStore = openPostgres({
    url: options.url,
    sslMode: options.sslMode ?? 'verify-full',
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
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
      monitorStateIntervalSeconds: 60,
    });
    created.on('error', (error: Error) => emit({ kind: 'error', message: error.message }));
    return created;
  };
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
        break;
      } catch (error) {
        if (!isDeadlock(error) || attempt >= START_ATTEMPTS) throw error;
        emit({ kind: 'error', message: `start: ${(error as Error).message}; starting again` });
        await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
        boss = newBoss();
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt + Math.random() * 250));
      }
    }

    const work = async <T>(
      queue: string,
      handle: (sessionId: string, jobId: string, subject: JobSubject) => Promise<T>,
    ) => {
      for (let i = 0; i < concurrency; i++) {
        let id = '';
        id = await boss.work<JobSubject>(
          queue,
          { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 },
          async ([job]) => {
            if (!job) return;
            try {
              await handle(job.data.sessionId ?? '', job.id, job.data);
            } catch (error) {
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
  } catch (error) {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    await store.close();
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
        sslMode: options.sslMode ?? 'verify-full',
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
    },
  };
}
