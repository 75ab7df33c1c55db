// Evaluation as a persisted job. Ending a session only inserts a row here (synchronously, so it can
// share the session's final transaction); a runner evaluates later. An offline or failing provider
// leaves the job queued with exponential backoff (or the provider's Retry-After), so the session
// still ends and syncs, and the evaluation arrives when the provider is back.
import { VigilError } from '../errors';
import { InterviewRepository } from '../interview/session-repository';
import type { Tx } from '../store/local-store';
import { insertEvaluation, latestEvaluation } from './evaluation-store';
import type { Evaluation, EvaluationInput, Evaluator, ProctoringStats } from './types';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface EvaluationJob {
  sessionId: string;
  status: JobStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  evaluationId: string | null;
}

/** Where proctoring statistics come from (the proctoring module's warnings); absent until merged. */
export interface ProctoringStatsSource {
  statsFor(sessionId: string): ProctoringStats;
}

export const noProctoringStats: ProctoringStatsSource = { statsFor: () => ({ available: false }) };

export interface EvaluationJobsOptions {
  /** The local store: jobs, evaluations and their outbox rows share its transactions. */
  store: Tx;
  evaluator: Evaluator;
  proctoring?: ProctoringStatsSource;
  /** Wall-clock milliseconds (injectable for tests). */
  now?: () => number;
  random?: () => number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  onError?: (sessionId: string, error: unknown) => void;
}

interface JobRow {
  session_id: string;
  status: JobStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  evaluation_id: string | null;
}

const toJob = (r: JobRow): EvaluationJob => ({
  sessionId: r.session_id,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  evaluationId: r.evaluation_id,
});

/** Builds the evaluator's input from the local database only, so evaluation works offline. */
export function buildEvaluationInput(
  repo: InterviewRepository,
  sessionId: string,
  proctoring: ProctoringStatsSource = noProctoringStats,
): EvaluationInput {
  const snapshot = repo.snapshot(sessionId);
  if (!snapshot)
    throw new VigilError('NOT_FOUND', `No interview was recorded on this device for session ${sessionId}.`, {
      sessionId,
    });
  const answers = new Map(repo.answers(sessionId).map((a) => [a.questionId, a]));
  const responses = repo
    .questions(sessionId)
    .filter((q) => q.askedAt !== null)
    .map((q) => {
      const a = answers.get(q.id);
      return {
        question: q.text,
        answer: a?.text ?? '',
        timeLimitS: q.timeLimitS,
        elapsedMs: a?.elapsedMs ?? 0,
        timedOut: a?.timedOut ?? false,
      };
    });
  return {
    sessionId,
    examId: snapshot.exam.id,
    userId: snapshot.userId,
    exam: { title: snapshot.exam.title, type: snapshot.exam.type, difficulty: snapshot.exam.difficulty },
    resumeText: snapshot.resumeText,
    jobListingText: snapshot.jobListingText,
    responses,
    proctoring: proctoring.statsFor(sessionId),
  };
}

export class EvaluationJobs {
  private readonly repo: InterviewRepository;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly db: Tx['raw'];

  constructor(private readonly options: EvaluationJobsOptions) {
    this.db = options.store.raw;
    this.repo = new InterviewRepository(options.store);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    // A job left 'running' by a crash is simply due again.
    this.db.prepare(`update evaluation_jobs set status = 'queued' where status = 'running'`).run();
  }

  /** Queues the session's evaluation (idempotent). Synchronous: safe inside the session's last transaction. */
  enqueue(sessionId: string): void {
    const at = new Date(this.now()).toISOString();
    this.db
      .prepare(
        `insert into evaluation_jobs (session_id, status, attempts, next_attempt_at, created_at, updated_at)
         values (?, 'queued', 0, ?, ?, ?) on conflict (session_id) do nothing`,
      )
      .run(sessionId, this.now(), at, at);
  }

  job(sessionId: string): EvaluationJob | null {
    const row = this.db.prepare('select * from evaluation_jobs where session_id = ?').get(sessionId) as
      JobRow | undefined;
    return row ? toJob(row) : null;
  }

  evaluation(sessionId: string): Evaluation | null {
    return latestEvaluation(this.options.store, sessionId);
  }

  private delayAfter(attempts: number, error: unknown): number {
    const base = this.options.baseBackoffMs ?? 30_000;
    const max = this.options.maxBackoffMs ?? 3_600_000;
    const hinted = error instanceof VigilError ? Number(error.details?.retryAfterMs) : NaN;
    const backoff = Math.min(max, base * 2 ** Math.max(0, attempts - 1)) * (0.5 + 0.5 * this.random());
    return Math.round(Number.isFinite(hinted) ? Math.max(hinted, backoff) : backoff);
  }

  /** Runs one job now, whatever its schedule. Throws the evaluator's error after recording it. */
  async run(sessionId: string): Promise<Evaluation> {
    this.enqueue(sessionId);
    const db = this.db;
    const started = db
      .prepare(
        `update evaluation_jobs set status = 'running', attempts = attempts + 1, updated_at = ?
         where session_id = ? and status in ('queued', 'failed')`,
      )
      .run(new Date(this.now()).toISOString(), sessionId);
    if (started.changes === 0) {
      const existing = this.evaluation(sessionId);
      if (existing) return existing;
      throw new VigilError('CONFLICT', `The evaluation of session ${sessionId} is already running.`, {
        sessionId,
      });
    }
    const attempts = this.job(sessionId)!.attempts;
    let input: EvaluationInput;
    try {
      input = buildEvaluationInput(this.repo, sessionId, this.options.proctoring);
    } catch (error) {
      db.prepare(
        `update evaluation_jobs set status = 'failed', last_error = ?, updated_at = ? where session_id = ?`,
      ).run((error as Error).message, new Date(this.now()).toISOString(), sessionId);
      throw error;
    }
    try {
      const result = await this.options.evaluator.evaluate(input);
      const at = new Date(this.now()).toISOString();
      // This synchronous=FULL commit (or the re-queue below) also makes the attempt's token_usage
      // rows durable: they were committed without an fsync of their own (see token-ledger.ts).
      return db.transaction(() => {
        const saved = insertEvaluation(this.options.store, sessionId, result, at);
        db.prepare(
          `update evaluation_jobs set status = 'done', evaluation_id = ?, last_error = null, updated_at = ? where session_id = ?`,
        ).run(saved.id, at, sessionId);
        return saved;
      })();
    } catch (error) {
      const next = this.now() + this.delayAfter(attempts, error);
      db.prepare(
        `update evaluation_jobs set status = 'queued', next_attempt_at = ?, last_error = ?, updated_at = ? where session_id = ?`,
      ).run(next, (error as Error).message, new Date(this.now()).toISOString(), sessionId);
      throw error;
    }
  }

  /** Runs every due job once, one at a time; never throws. */
  async runDue(): Promise<{ succeeded: string[]; failed: string[] }> {
    const due = this.db
      .prepare(
        `select session_id from evaluation_jobs where status = 'queued' and next_attempt_at <= ? order by next_attempt_at`,
      )
      .all(this.now()) as { session_id: string }[];
    const succeeded: string[] = [];
    const failed: string[] = [];
    for (const { session_id } of due) {
      try {
        await this.run(session_id);
        succeeded.push(session_id);
      } catch (error) {
        failed.push(session_id);
        this.options.onError?.(session_id, error);
      }
    }
    return { succeeded, failed };
  }
}
