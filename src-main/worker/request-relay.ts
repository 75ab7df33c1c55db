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
} as const;
export type RequestKind = keyof typeof QUEUES;

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
    const { rows } = await sql<{ session_id: string; kind: RequestKind }>`
      DELETE FROM vigil.worker_requests r USING (
        SELECT session_id, kind FROM vigil.worker_requests ORDER BY requested_at
        LIMIT ${limit} FOR UPDATE SKIP LOCKED) picked
      WHERE r.session_id = picked.session_id AND r.kind = picked.kind
      RETURNING r.session_id, r.kind`.execute(trx);
    if (rows.length === 0) return 0;
    await boss.insert(
      rows.map((r) => ({
        name: QUEUES[r.kind],
        data: { sessionId: r.session_id },
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
