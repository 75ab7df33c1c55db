// The central worker's jobs driven in this process, without the queue, for the embedded PGlite
// central store of `vigil demo`: pg-boss needs a PostgreSQL server its own connections reach, which
// an in-process PGlite is not. It takes the due work requests (vigil.worker_requests, written by the
// triggers of central migration 0410 exactly as for a real server) and runs the same handlers the
// queue's workers run (evaluation with the local evaluator, risk, report). A real deployment runs
// `vigil worker`.
import { sql, type Kysely } from 'kysely';
import type { CentralDatabase } from '../central/schema';
import { LocalEvaluator } from '../evaluation/local-evaluator';
import { Pricing } from '../evaluation/pricing';
import { CentralUsageRecorder } from './central-usage';
import { evaluateCentralSession } from './evaluate-session';
import type { RequestKind } from './request-relay';
import { makeCentralReport } from './make-report';
import { runRetentionPurge, type RetentionRun } from './retention-purge';
import { fileServerRisk } from './server-risk';

/** Evaluations first, then risk, then reports (which show both); later requests go next round. */
const ORDER: Record<RequestKind, number> = { evaluate: 0, risk: 1, report: 2 };

export async function runWorkerRequestsInProcess(
  db: Kysely<CentralDatabase>,
  workerId: string,
): Promise<{ evaluated: number; risks: number; reports: number }> {
  const done = { evaluated: 0, risks: 0, reports: 0 };
  for (;;) {
    const { rows } = await sql<{ session_id: string; kind: RequestKind }>`
      DELETE FROM vigil.worker_requests RETURNING session_id, kind`.execute(db);
    if (rows.length === 0) return done;
    for (const request of [...rows].sort((a, b) => ORDER[a.kind] - ORDER[b.kind])) {
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
      } else if (request.kind === 'risk') {
        await fileServerRisk(db, request.session_id);
        done.risks++;
      } else {
        const made = await makeCentralReport({ db, sessionId: request.session_id, workerId, jobId: null });
        if (made.outcome === 'filed') done.reports++;
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
