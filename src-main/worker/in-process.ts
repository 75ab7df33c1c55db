// The central worker's jobs driven in this process, without the queue, for the embedded PGlite
// central store of `vigil demo`: pg-boss needs a PostgreSQL server its own connections reach, which
// an in-process PGlite is not. It takes the due work requests (vigil.worker_requests, written by the
// triggers of central migration 0410 exactly as for a real server) and runs the same handlers the
// queue's workers run, with the local evaluator. A real deployment runs `vigil worker`.
import { sql, type Kysely } from 'kysely';
import type { CentralDatabase } from '../central/schema';
import { LocalEvaluator } from '../evaluation/local-evaluator';
import { Pricing } from '../evaluation/pricing';
import { CentralUsageRecorder } from './central-usage';
import { evaluateCentralSession } from './evaluate-session';
import type { RequestKind } from './request-relay';
import { runRetentionPurge, type RetentionRun } from './retention-purge';
import { fileServerRisk } from './server-risk';

export async function runWorkerRequestsInProcess(
  db: Kysely<CentralDatabase>,
  workerId: string,
): Promise<{ evaluated: number; risks: number }> {
  const done = { evaluated: 0, risks: 0 };
  for (;;) {
    const { rows } = await sql<{ session_id: string; kind: RequestKind }>`
      DELETE FROM vigil.worker_requests RETURNING session_id, kind`.execute(db);
    if (rows.length === 0) return done;
    // Evaluations first: a risk request raised meanwhile is taken by the next round.
    for (const request of [...rows].sort((a, b) => a.kind.localeCompare(b.kind))) {
      if (request.kind === 'evaluate') {
        const outcome = await evaluateCentralSession({
          db,
          evaluator: new LocalEvaluator(),
          usage: new CentralUsageRecorder(db, new Pricing()),
          sessionId: request.session_id,
          workerId,
          jobId: null,
        });
        if (outcome === 'filed') done.evaluated++;
      } else {
        await fileServerRisk(db, request.session_id);
        done.risks++;
      }
    }
  }
}

/** The scheduled retention job (purge and credential expiry), once: the demo has no scheduler. */
export async function runRetentionInProcess(
  db: Kysely<CentralDatabase>,
  workerId: string,
): Promise<RetentionRun> {
  return runRetentionPurge(db, workerId);
}
