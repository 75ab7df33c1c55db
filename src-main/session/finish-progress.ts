// The finish screen: how far the work after the session is (recording, evaluation, report: the
// session's jobs), what is still waiting for upload, and the receipt (the verified evidence chain's
// head) to keep.
import type { FinishProgress } from '../../src-preload/contract';
import { verifyChain } from '../store/event-chain';
import { jobsFor, type JobState } from '../store/jobs';
import type { LocalStore } from '../store/local-store';
import { outboxCounts } from '../store/outbox';
import type { Progress } from './candidate-progress';

type Result = Record<string, unknown>;
type FinishItem = FinishProgress['items'][number];

function item(
  id: string,
  label: string,
  job: JobState | undefined,
  done: (result: Result) => string,
  fallback: string,
): FinishItem {
  if (!job) return { id, label, state: 'waiting', detail: fallback };
  switch (job.status) {
    case 'done':
      return { id, label, state: 'done', detail: done((job.result ?? {}) as Result) };
    case 'failed':
      return { id, label, state: 'failed', detail: job.lastError?.message ?? fallback };
    case 'running':
      return { id, label, state: 'working', detail: fallback };
    default:
      return job.lastError
        ? { id, label, state: 'queued_offline', detail: `will be retried: ${job.lastError.message}` }
        : { id, label, state: 'waiting', detail: fallback };
  }
}

export function finishProgress(
  deps: { store: LocalStore; receiptsFor: (sessionId: string) => number },
  progress: Progress,
): FinishProgress {
  const { store } = deps;
  const { sessionId } = progress;
  const counts = outboxCounts(store);
  const chain = verifyChain(store, sessionId);
  const jobs = jobsFor(store, sessionId);
  const last = (kind: JobState['kind']) => jobs.filter((j) => j.kind === kind).at(-1);
  const recording = last('recording_upload');
  const pendingBlobs = store.raw
    .prepare(
      `SELECT count(*) AS n, coalesce(sum(size - uploaded_bytes), 0) AS bytes FROM blob_uploads WHERE status = 'pending'`,
    )
    .get() as { n: number; bytes: number };
  return {
    sessionId,
    items: [
      // The recording is saved on this computer until it is queued: no "waiting" for it.
      recording?.status === 'done' || recording?.status === 'failed'
        ? item('recording', 'Recording', recording, (r) => `${String(r.files)} file(s) queued for upload`, '')
        : { id: 'recording', label: 'Recording', state: 'working', detail: 'saved on this computer' },
      item(
        'evaluation',
        'Evaluation',
        last('evaluation'),
        (r) => `${String(r.overall)} of 100 (${String(r.evaluator)})`,
        'waiting',
      ),
      item(
        'report',
        'Report',
        last('report'),
        (r) => `report ${String(r.reportId)}`,
        'waiting for the evaluation',
      ),
    ],
    upload: {
      pendingItems: counts.pendingItems + pendingBlobs.n,
      pendingBytes: counts.pendingBytes + pendingBlobs.bytes,
      receipts: deps.receiptsFor(sessionId),
    },
    receipt: chain.ok ? { sessionId, chainHash: chainHead(store, sessionId), events: chain.events } : null,
    canClose: true,
  };
}

function chainHead(store: LocalStore, sessionId: string): string {
  const row = store.raw.prepare('SELECT chain_head FROM sessions WHERE id = ?').get(sessionId) as
    { chain_head: Buffer | null } | undefined;
  return Buffer.from(row?.chain_head ?? Buffer.alloc(32)).toString('hex');
}
