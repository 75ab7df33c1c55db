// Moves work requests (vigil.worker_requests, written by the triggers of central migration 0410 in
// the transaction that made the work due) into the job queue: the requests are deleted and their
// jobs inserted in ONE transaction, so a request becomes exactly one job, even with several workers
// relaying at once (SKIP LOCKED shares the rows) or one killed in the middle (its transaction rolls
// back and the requests stay). Woken by the triggers' NOTIFY; a periodic sweep covers a missed one.
// The commit NOTIFYs the jobs channel, on which every worker wakes its pollers.
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { CentralDatabase } from '../central/schema';

/** NOTIFY channels: work requested (migration 0410's triggers), jobs queued (the relay). */
export const REQUESTS_CHANNEL = 'vigil_worker';
export const JOBS_CHANNEL = 'vigil_worker_jobs';

export const QUEUES = {
  evaluate: 'evaluate-session',
  risk: 'session-risk',
  report: 'session-report',
  transcribe: 'transcribe-answers',
  questions: 'exam-questions',
} as const;
export type RequestKind = keyof typeof QUEUES;

/** A job's data: the session its work is about, or the exam (`questions`, migration 0451). */
export interface JobSubject {
  sessionId?: string;
  examId?: string;
}

/** A request row as the relay and the in-process runner take it. */
export interface WorkerRequest {
  session_id: string | null;
  exam_id: string | null;
  kind: RequestKind;
}

export function subjectOf(request: WorkerRequest): JobSubject {
  return request.session_id ? { sessionId: request.session_id } : { examId: request.exam_id ?? '' };
}

export interface JobPolicy {
  /** A job not completed this long after it started is taken back and retried by any worker. */
  expireInSeconds: number;
  retryLimit: number;
  retryDelaySeconds: number;
}

/** Relays up to `limit` requests; returns how many jobs were queued. */
export async function relayRequests(
  db: Kysely<CentralDatabase>,
  boss: PgBoss,
  policy: JobPolicy,
  limit = 500,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // A request names a session or an exam (migration 0450): picked by its row, not its key.
    const { rows } = await sql<WorkerRequest>`
      DELETE FROM vigil.worker_requests r USING (
        SELECT ctid FROM vigil.worker_requests ORDER BY requested_at
        LIMIT ${limit} FOR UPDATE SKIP LOCKED) picked
      WHERE r.ctid = picked.ctid
      RETURNING r.session_id, r.exam_id, r.kind`.execute(trx);
    if (rows.length === 0) return 0;
    await boss.insert(
      rows.map((r) => ({
        name: QUEUES[r.kind],
        data: subjectOf(r),
        expireInSeconds: policy.expireInSeconds,
        retryLimit: policy.retryLimit,
        retryDelay: policy.retryDelaySeconds,
      })),
      {
        // pg-boss runs its insert on this transaction's connection.
        db: {
          executeSql: async (text: string, values: unknown[]) => ({
            rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows,
          }),
        },
      },
    );
    // Wakes every worker's pollers at commit, not only this process's (the others would wait for
    // their next poll).
    await sql`SELECT pg_notify(${JOBS_CHANNEL}, '')`.execute(trx);
    return rows.length;
  });
}
