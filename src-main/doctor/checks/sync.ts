// Pending sync: what this machine still has to upload. Items waiting for more than a day mean the
// machine has not reached the central server since an exam: recordings are only on this disk.
import type { DoctorCheck, PendingSyncSource } from '../types';

const STALE_MS = 24 * 60 * 60 * 1000;

export async function syncCheck(
  source: PendingSyncSource | undefined,
  now = new Date(),
): Promise<DoctorCheck> {
  const base = { id: 'sync', title: 'Pending sync' };
  if (!source) return { ...base, status: 'skip', summary: 'sync service not available in this build' };
  try {
    const pending = await source.pendingSync();
    const age = pending.oldestQueuedAt ? now.getTime() - Date.parse(pending.oldestQueuedAt) : 0;
    const stale = pending.outboxItems > 0 && age > STALE_MS;
    const mb = (pending.blobBytes / 1e6).toFixed(1);
    return {
      ...base,
      status: stale ? 'warn' : 'ok',
      summary:
        pending.outboxItems === 0
          ? 'nothing waiting to upload'
          : `${pending.outboxItems} item(s) and ${mb} MB waiting to upload${stale ? `, oldest since ${pending.oldestQueuedAt}: connect this machine to the network and keep Vigil open` : ''}`,
      details: pending,
    };
  } catch (error) {
    return { ...base, status: 'fail', summary: `cannot read the upload queue: ${(error as Error).message}` };
  }
}
