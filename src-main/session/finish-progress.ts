// The finish screen: how far the work after the session is (recording, evaluation, report: the
// session's jobs), what is still waiting for upload, and the receipt (the verified evidence chain's
// head) to keep.
import type { FinishProgress } from '../../src-preload/contract';
import { verifyChain } from '../store/event-chain';
import { jobsFor, type JobState } from '../store/jobs';
import type { LocalStore } from '../store/local-store';
import { storedHeld } from '../sync/uploader';
import { sessionEvaluationPlace } from './after-session-jobs';
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
  // What waits is counted for the enrollment this session is sent with (other exams' items are not
  // this session's business), with the reason when that enrollment's items are held back.
  const deviceId =
    (
      store.raw.prepare('SELECT device_id FROM sessions WHERE id = ?').get(sessionId) as
        { device_id: string | null } | undefined
    )?.device_id ?? null;
  const counts = store.raw
    .prepare(
      `SELECT count(*) AS n, coalesce(sum(bytes), 0) AS bytes FROM outbox WHERE status = 'pending' AND device_id IS ?`,
    )
    .get(deviceId) as { n: number; bytes: number };
  const chain = verifyChain(store, sessionId);
  const jobs = jobsFor(store, sessionId);
  const last = (kind: JobState['kind']) => jobs.filter((j) => j.kind === kind).at(-1);
  const recording = last('recording_upload');
  const pendingBlobs = store.raw
    .prepare(
      `SELECT count(*) AS n, coalesce(sum(b.size - b.uploaded_bytes), 0) AS bytes
       FROM blob_uploads b LEFT JOIN sessions s ON s.id = b.session_id
       WHERE b.status = 'pending' AND s.device_id IS ?`,
    )
    .get(deviceId) as { n: number; bytes: number };
  const byServer = sessionEvaluationPlace(store, sessionId) === 'server';
  const held = storedHeld(store).find((h) => h.deviceId === deviceId);
  return {
    sessionId,
    items: [
      // The recording is saved on this computer until it is queued: no "waiting" for it.
      recording?.status === 'done' || recording?.status === 'failed'
        ? item('recording', 'Recording', recording, (r) => `${String(r.files)} file(s) queued for upload`, '')
        : { id: 'recording', label: 'Recording', state: 'working', detail: 'saved on this computer' },
      // The server evaluates every exam but a practice one set to evaluate on the device: no
      // evaluation job runs here, and the candidate is told where it is made.
      byServer
        ? { id: 'evaluation', label: 'Evaluation', state: 'done', detail: 'evaluated by the server' }
        : item(
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
        byServer ? 'waiting for the upload' : 'waiting for the evaluation',
      ),
    ],
    upload: {
      pendingItems: counts.n + pendingBlobs.n,
      pendingBytes: counts.bytes + pendingBlobs.bytes,
      receipts: deps.receiptsFor(sessionId),
      heldReason: held?.reason ?? null,
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
