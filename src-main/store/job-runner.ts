// Runs the jobs of the `jobs` table (see jobs.ts for why the queue is ours): one handler per kind,
// at most `concurrency[kind]` (default 1) at a time, attempts with exponential backoff and jitter,
// typed permanent failures, and jobs left `running` by a crash resumed at start. No polling: one
// timer for the next due job, plus a nudge after every enqueue on the same connection and after
// every job that finishes (it may free a slot or a dependant).
import type { ErrorCode } from '../../src-preload/contract';
import { isVigilError, VigilError } from '../errors';
import type { LocalStore } from './local-store';
import {
  JOB_KINDS,
  jobById,
  onEnqueue,
  type JobKind,
  type JobPayloads,
  type JobState,
  type JsonValue,
} from './jobs';

/** A failure that retrying cannot fix (a corrupt file, a request the server refuses): failed at once. */
export class JobFailure extends Error {
  override readonly name = 'JobFailure';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** VigilError codes that mean "the input is wrong", not "try later": the job fails at once. */
export const PERMANENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'BAD_REQUEST',
  'MEDIA_INVALID',
  'NOT_FOUND',
  'CONFIG_INVALID',
  'INVALID_DOCUMENT',
  'INTEGRITY',
  'FORBIDDEN',
  'UPDATE_REQUIRED',
]);

export interface JobContext {
  /** The job as claimed: `attempts` counts this attempt. */
  job: JobState;
  /** Aborted when the runner stops; a handler that can stop early should. */
  signal: AbortSignal;
  /** Current state of the jobs this one waited for (all done or failed), e.g. which transcriptions failed. */
  dependencies: () => JobState[];
}

export type JobHandler<K extends JobKind> = (
  payload: JobPayloads[K],
  context: JobContext,
) => Promise<JsonValue | void>;

export interface JobRunnerOptions {
  store: LocalStore;
  /** Epoch ms; injectable for tests. */
  now?: () => number;
  /** [0, 1); the jitter of the backoff. */
  random?: () => number;
  /** Jobs of one kind running at once (default 1). */
  concurrency?: Partial<Record<JobKind, number>>;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** A handler failed or the store refused a write: for the log (the job's row keeps the error too). */
  onError?: (job: JobState | null, error: unknown) => void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/** When the store refused a claim (disk full, busy), look again after this long. */
const STORE_RETRY_MS = 5_000;

// A queued job is ready when none of the jobs it waits for is still queued or running.
const READY = `j.status = 'queued' AND j.kind IN (SELECT value FROM json_each(?))
  AND NOT EXISTS (SELECT 1 FROM job_deps d JOIN jobs p ON p.id = d.depends_on
                  WHERE d.job_id = j.id AND p.status IN ('queued', 'running'))`;

interface Outcome {
  code: string;
  message: string;
  permanent: boolean;
  retryAfterMs: number | null;
}

function describeError(error: unknown): Outcome {
  if (error instanceof JobFailure)
    return { code: error.code, message: error.message, permanent: true, retryAfterMs: null };
  if (isVigilError(error)) {
    const hinted = Number(error.details?.retryAfterMs);
    return {
      code: error.code,
      message: error.message,
      permanent: PERMANENT_ERROR_CODES.has(error.code),
      retryAfterMs: Number.isFinite(hinted) ? hinted : null,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message, permanent: false, retryAfterMs: null };
}

export class JobRunner {
  private readonly handlers = new Map<JobKind, JobHandler<JobKind>>();
  private readonly running = new Map<JobKind, number>();
  private readonly active = new Set<Promise<void>>();
  private readonly listeners = new Set<(job: JobState) => void>();
  /** The error a failed attempt threw, while its listeners run (so `outcome` keeps its details). */
  private readonly attemptErrors = new Map<number, unknown>();
  private readonly now: () => number;
  private readonly random: () => number;
  private state: 'stopped' | 'started' | 'stopping' = 'stopped';
  private abort = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private pumping = false;
  private pumpAgain = false;

  constructor(private readonly options: JobRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  register<K extends JobKind>(kind: K, handler: JobHandler<K>): this {
    if (!JOB_KINDS.includes(kind)) throw new Error(`unknown job kind ${kind}`);
    this.handlers.set(kind, handler as unknown as JobHandler<JobKind>);
    // A handler registered late may have jobs waiting already.
    if (this.state === 'started') queueMicrotask(() => this.pump());
    return this;
  }

  /** Called with a job's new state after every change the runner makes or sees (enqueue included). */
  onChange(listener: (job: JobState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the job's result when it is done (now or after its next attempt); rejects with
   * the error of its next failed attempt, or its last one if it has failed. The job itself stays
   * queued for its retries: a caller waiting for the work (the recording's stop waits for its
   * merge) learns of the first failure at once.
   */
  outcome(id: number): Promise<JsonValue> {
    return new Promise<JsonValue>((resolve, reject) => {
      const failure = (job: JobState): Error => {
        const thrown = this.attemptErrors.get(job.id);
        if (thrown instanceof Error) return thrown;
        return new VigilError(
          (job.lastError?.code ?? 'INTERNAL') as ErrorCode,
          job.lastError?.message ?? `Job ${job.kind} failed.`,
        );
      };
      let attempted = false;
      const settle = (job: JobState): boolean => {
        if (job.status === 'running') attempted = true;
        else if (job.status === 'done') resolve(job.result);
        else if (job.status === 'failed' || (attempted && job.status === 'queued')) reject(failure(job));
        else return false;
        return job.status !== 'running';
      };
      const off = this.onChange((job) => {
        if (job.id === id && settle(job)) off();
      });
      const current = jobById(this.options.store, id);
      if (!current) {
        off();
        reject(new VigilError('NOT_FOUND', `There is no job ${id}.`));
      } else if (settle(current)) off();
      else this.nudge();
    });
  }

  /** Resumes jobs a crash left running, then runs what is due. */
  start(): void {
    if (this.state !== 'stopped') return;
    this.state = 'started';
    this.abort = new AbortController();
    for (const job of this.recover()) this.emit(job);
    this.unsubscribe = onEnqueue(this.options.store, (id) => {
      const job = jobById(this.options.store, id);
      if (job) this.emit(job);
      this.nudge();
    });
    this.pump();
  }

  /** Runs the due jobs now (after an enqueue on another connection, or when the network is back). */
  nudge(): void {
    this.pump();
  }

  /** Stops picking jobs and waits for the running handlers to finish and record their outcome. */
  async stop(): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'stopping';
    this.clearTimer();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.abort.abort();
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
    this.state = 'stopped';
  }

  /** Resolves when nothing is running and nothing is due now (tests, the CLI's `run once`). */
  async drain(): Promise<void> {
    for (;;) {
      this.pump();
      if (this.active.size === 0) return;
      await Promise.allSettled([...this.active]);
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private emit(job: JobState): void {
    for (const listener of this.listeners) {
      try {
        listener(job);
      } catch (error) {
        this.options.onError?.(job, error);
      }
    }
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Jobs left running by a crash: queued again, due now, with the interrupted attempt counted. */
  private recover(): JobState[] {
    const at = this.iso();
    const ids = this.options.store.write(
      'resume interrupted jobs',
      (tx) =>
        tx.raw
          .prepare(
            `UPDATE jobs SET
             status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
             finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE NULL END,
             next_attempt_at = ?, last_error_code = 'INTERRUPTED',
             last_error_message = CASE WHEN attempts >= max_attempts
               THEN 'Vigil closed while this job ran, on each of its ' || attempts || ' attempts; it is not tried again.'
               ELSE 'Vigil closed while this job ran; it was started again.' END,
             updated_at = ?
           WHERE status = 'running' RETURNING id`,
          )
          .all(at, this.now(), at) as { id: number }[],
    );
    return ids.map(({ id }) => jobById(this.options.store, id)).filter((j): j is JobState => !!j);
  }

  private freeKinds(): JobKind[] {
    return [...this.handlers.keys()].filter(
      (kind) => (this.running.get(kind) ?? 0) < Math.max(1, this.options.concurrency?.[kind] ?? 1),
    );
  }

  private pump(): void {
    if (this.state !== 'started') return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.clearTimer();
        for (let kinds = this.freeKinds(); kinds.length > 0; kinds = this.freeKinds()) {
          const job = this.claim(kinds);
          if (!job) break;
          this.launch(job);
        }
        this.scheduleNext();
      } while (this.pumpAgain && this.state === 'started');
    } catch (error) {
      // The store refused the claim (disk full, busy, closed): try again later rather than spin.
      this.options.onError?.(null, error);
      this.setTimer(STORE_RETRY_MS);
    } finally {
      this.pumping = false;
    }
  }

  private claim(kinds: JobKind[]): JobState | undefined {
    const now = this.now();
    const at = this.iso();
    return this.options.store.write('start a job', (tx) => {
      const next = tx.raw
        .prepare(
          `SELECT j.id FROM jobs j WHERE ${READY} AND j.next_attempt_at <= ?
           ORDER BY j.next_attempt_at, j.id LIMIT 1`,
        )
        .get(JSON.stringify(kinds), now) as { id: number } | undefined;
      if (!next) return undefined;
      tx.raw
        .prepare(
          `UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?, updated_at = ?
           WHERE id = ?`,
        )
        .run(at, at, next.id);
      return jobById(tx, next.id);
    });
  }

  private scheduleNext(): void {
    const kinds = this.freeKinds();
    if (kinds.length === 0) return; // a finishing job pumps again
    const row = this.options.store.raw
      .prepare(`SELECT min(j.next_attempt_at) AS at FROM jobs j WHERE ${READY}`)
      .get(JSON.stringify(kinds)) as { at: number | null };
    if (row.at !== null) this.setTimer(row.at - this.now());
  }

  private setTimer(delayMs: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => this.pump(), Math.min(MAX_TIMER_MS, Math.max(0, delayMs)));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private launch(job: JobState): void {
    const handler = this.handlers.get(job.kind)!;
    this.running.set(job.kind, (this.running.get(job.kind) ?? 0) + 1);
    this.emit(job);
    const context: JobContext = {
      job,
      signal: this.abort.signal,
      dependencies: () =>
        job.dependsOn.map((id) => jobById(this.options.store, id)).filter((j): j is JobState => !!j),
    };
    const run = (async () => {
      let after: JobState | undefined;
      let thrown: { error: unknown } | undefined;
      try {
        const result = await handler(job.payload as JobPayloads[JobKind], context);
        after = this.complete(job, result ?? null);
      } catch (error) {
        this.options.onError?.(job, error);
        thrown = { error };
        after = this.fail(job, error);
      }
      if (after) {
        if (thrown) this.attemptErrors.set(job.id, thrown.error);
        try {
          this.emit(after);
        } finally {
          this.attemptErrors.delete(job.id);
        }
      }
    })()
      // The outcome could not be written (store closed, disk full): the row stays `running` and the
      // next start resumes it.
      .catch((error: unknown) => this.options.onError?.(job, error))
      .finally(() => {
        this.active.delete(run);
        this.running.set(job.kind, (this.running.get(job.kind) ?? 1) - 1);
        this.pump();
      });
    this.active.add(run);
  }

  private complete(job: JobState, result: JsonValue): JobState | undefined {
    const at = this.iso();
    return this.options.store.write(`finish job ${job.kind}`, (tx) => {
      tx.raw
        .prepare(
          `UPDATE jobs SET status = 'done', result = ?, last_error_code = NULL, last_error_message = NULL,
             finished_at = ?, updated_at = ? WHERE id = ? AND status = 'running'`,
        )
        .run(JSON.stringify(result), at, at, job.id);
      return jobById(tx, job.id);
    });
  }

  private fail(job: JobState, error: unknown): JobState | undefined {
    const outcome = describeError(error);
    const now = this.now();
    const at = this.iso();
    let status: 'queued' | 'failed';
    let attempts = job.attempts;
    let next = now;
    if (outcome.permanent || (this.state !== 'stopping' && job.attempts >= job.maxAttempts)) {
      status = 'failed';
    } else if (this.state === 'stopping') {
      // Cut short by stop(): not the job's failure, so the attempt is not counted and it is due at
      // the next start.
      status = 'queued';
      attempts = Math.max(0, job.attempts - 1);
    } else {
      status = 'queued';
      next = now + this.backoff(job.attempts, outcome.retryAfterMs);
    }
    return this.options.store.write(`record job ${job.kind} failure`, (tx) => {
      tx.raw
        .prepare(
          `UPDATE jobs SET status = ?, attempts = ?, next_attempt_at = ?, last_error_code = ?,
             last_error_message = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = 'running'`,
        )
        .run(
          status,
          attempts,
          next,
          outcome.code,
          outcome.message,
          status === 'failed' ? at : null,
          at,
          job.id,
        );
      return jobById(tx, job.id);
    });
  }

  /** base·2^(n−1), capped, times a jitter in [0.5, 1); a provider's Retry-After is a floor. */
  private backoff(attempts: number, retryAfterMs: number | null): number {
    const base = this.options.baseBackoffMs ?? 30_000;
    const max = this.options.maxBackoffMs ?? 3_600_000;
    const backoff = Math.min(max, base * 2 ** Math.max(0, attempts - 1)) * (0.5 + 0.5 * this.random());
    return Math.round(retryAfterMs !== null ? Math.max(retryAfterMs, backoff) : backoff);
  }
}
