// The worker's scheduled retention job (queue `retention-purge`, on the cron `worker.retentionCron`):
// purges the sessions past their exam's retention and expires the device credentials of exams
// whose window (and its late-upload grace) has closed. Both are definer functions of central 0455
// that do the work and write its receipt in one transaction (vigil.retention_receipts), by the
// server's clock; the worker login may only EXECUTE them. They run in batches, each its own
// transaction and receipt, so a large backlog neither holds one long lock nor loses its receipts
// to one failure; a batch that finds nothing writes no receipt.
import { sql, type Kysely } from 'kysely';
import type { CentralDatabase } from '../central/schema';

export const RETENTION_QUEUE = 'retention-purge';

/** Default schedule: hourly, at a minute off the hour (where other jobs tend to pile up). UTC. */
export const DEFAULT_RETENTION_CRON = '23 * * * *';

/** Sessions (and devices) per transaction and receipt. */
const BATCH = 200;

export interface RetentionRun {
  /** Central receipt ids written by this run (purges, then expiries). */
  receipts: string[];
  purgedSessions: number;
  blobBytes: number;
  expiredDevices: number;
}

interface PurgeResult {
  receiptId: number | null;
  sessions: unknown[];
  blobBytes: number;
}

interface ExpiryResult {
  receiptId: number | null;
  devices: unknown[];
}

export async function runRetentionPurge(
  db: Kysely<CentralDatabase>,
  workerId: string,
): Promise<RetentionRun> {
  const run: RetentionRun = { receipts: [], purgedSessions: 0, blobBytes: 0, expiredDevices: 0 };
  for (;;) {
    const { rows } = await sql<{ result: PurgeResult }>`
      SELECT vigil.purge_expired(${workerId}, false, ${BATCH}) AS result`.execute(db);
    const result = rows[0]!.result;
    if (result.receiptId !== null) run.receipts.push(String(result.receiptId));
    run.purgedSessions += result.sessions.length;
    run.blobBytes += Number(result.blobBytes);
    if (result.sessions.length < BATCH) break;
  }
  for (;;) {
    const { rows } = await sql<{ result: ExpiryResult }>`
      SELECT vigil.expire_closed_devices(${workerId}, ${BATCH}) AS result`.execute(db);
    const result = rows[0]!.result;
    if (result.receiptId !== null) run.receipts.push(String(result.receiptId));
    run.expiredDevices += result.devices.length;
    if (result.devices.length < BATCH) break;
  }
  return run;
}
