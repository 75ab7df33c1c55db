// The finish screen: how far the work after the session is (recording, evaluation, report), what is
// still waiting for upload, and the receipt (the verified evidence chain's head) to keep.
import type { FinishProgress } from '../../src-preload/contract';
import { verifyChain } from '../store/event-chain';
import type { LocalStore } from '../store/local-store';
import { outboxCounts } from '../store/outbox';
import type { FinishState, Progress } from './candidate-progress';

export function finishProgress(
  deps: { store: LocalStore; receiptsFor: (sessionId: string) => number },
  progress: Progress,
): FinishProgress {
  const { store } = deps;
  const { sessionId } = progress;
  const counts = outboxCounts(store);
  const chain = verifyChain(store, sessionId);
  const f = progress.finish;
  const item = (
    id: string,
    label: string,
    state: FinishState['report'] | FinishState['evaluation'],
    detail: string | undefined,
    fallback: string,
  ) => ({
    id,
    label,
    state: state ?? 'waiting',
    detail: detail ?? fallback,
  });
  const pendingBlobs = store.raw
    .prepare(
      `SELECT count(*) AS n, coalesce(sum(size - uploaded_bytes), 0) AS bytes FROM blob_uploads WHERE status = 'pending'`,
    )
    .get() as { n: number; bytes: number };
  return {
    sessionId,
    items: [
      item(
        'recording',
        'Recording',
        f.recording === 'failed' ? 'failed' : f.recording === 'done' ? 'done' : 'working',
        f.recordingDetail,
        'saved on this computer',
      ),
      item('evaluation', 'Evaluation', f.evaluation, f.evaluationDetail, 'waiting'),
      item('report', 'Report', f.report, f.reportDetail, 'waiting for the evaluation'),
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
