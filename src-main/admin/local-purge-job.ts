// The retention purge of one session as a job of the device's runner (store/job-runner.ts): queued
// in the session's final transaction, due when its exam's retention runs out (counted from the
// session's end), after the session's other work. When it comes due it removes the session only if
// everything reached the central server (local-purge.ts re-checks that in its write transaction);
// otherwise it is tried again later — with the runner's backoff capped at an hour, its attempts
// cover about six weeks of a device being offline before the job is marked failed.
import { VigilError } from '../errors';
import { JobFailure, type JobRunner } from '../store/job-runner';
import { enqueueJob } from '../store/jobs';
import type { LocalStore, Tx } from '../store/local-store';
import { purgeLocal } from './local-purge';

const DAY_MS = 86_400_000;

/**
 * Queues the session's purge, due `retentionDays` after `endedAt`; without a known retention (the
 * exam is not cached) nothing is queued and the session is kept, as the purge would keep it.
 */
export function enqueueLocalPurge(
  tx: Tx,
  input: { sessionId: string; endedAt: string; retentionDays: number | undefined; after: number[] },
): number | undefined {
  const end = Date.parse(input.endedAt);
  if (!input.retentionDays || !(input.retentionDays > 0) || Number.isNaN(end)) return undefined;
  return enqueueJob(tx, {
    kind: 'local_purge',
    sessionId: input.sessionId,
    key: input.sessionId,
    payload: { reason: 'retention' },
    runAt: end + input.retentionDays * DAY_MS,
    dependsOn: input.after,
  });
}

export function registerLocalPurgeJob(
  runner: JobRunner,
  deps: { store: LocalStore; dataDir: string; now?: () => Date },
): void {
  runner.register('local_purge', async (_payload, { job }) => {
    const sessionId = job.sessionId!;
    const { receipt, receiptFile } = purgeLocal({
      store: deps.store,
      dataDir: deps.dataDir,
      dryRun: false,
      sessionIds: [sessionId],
      ...(deps.now ? { now: deps.now } : {}),
    });
    if (receipt.purged.some((p) => p.id === sessionId))
      return { purged: true, receipt: receiptFile ?? null, files: receipt.files.length };
    const kept = receipt.kept.find((k) => k.id === sessionId);
    if (kept?.reasons.some((r) => r.code === 'retention_unknown'))
      throw new JobFailure('NOT_FOUND', kept.reasons.map((r) => r.detail).join('; '));
    if (kept)
      // Not everything has reached the server yet: tried again (with backoff) until it has.
      throw new VigilError(
        'CONFLICT',
        `Session ${sessionId} is past its retention but kept until it is synced: ${kept.reasons.map((r) => r.detail).join('; ')}.`,
        { sessionId, reasons: kept.reasons.map((r) => r.code) },
      );
    if (receipt.withinRetention > 0)
      // Made due early (e.g. by hand): it waits for the retention's end.
      throw new VigilError('CONFLICT', `Session ${sessionId} is still within its retention.`, { sessionId });
    // Already gone (a `vigil purge --local` run, or the session was never stored here).
    return { purged: false, receipt: null, files: 0 };
  });
}
