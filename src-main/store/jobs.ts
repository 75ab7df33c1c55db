// The device's one persisted job queue: the work after a session (merge, recording upload,
// transcription, evaluation, report, local purge) as rows of the `jobs` table (migration 0004).
//
// Why hand-written on the one store rather than an off-the-shelf queue: the guarantee that matters
// is that a job row commits in the SAME SQLite transaction as the domain row that asks for it (the
// session end and its evaluation job; the spoken answer and its transcription job). A queue library
// with its own connection or its own file can only commit after or before the domain write, so a
// crash between the two loses the job or runs it for a row that never committed. `enqueueJob` takes
// the caller's `Tx`, which makes that impossible by construction; the rest (claiming, backoff,
// resume after a crash) is small once the row is ours. The runner lives in job-runner.ts.
//
// Time: `next_attempt_at` is epoch milliseconds from the runner's (injectable) clock; the *_at
// text columns are ISO timestamps for people reading the table.
import type { Tx } from './local-store';
import type { JobRowStatus, JobsTable } from './schema';

/** Every kind of work the device queues. A new kind is added here (the table has no CHECK on it). */
export const JOB_KINDS = [
  'merge',
  'recording_upload',
  'transcription',
  'evaluation',
  'report',
  'local_purge',
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What each kind's handler receives (besides the job's session id). Only what the handler cannot
 * read back from the store by the session id; the rest it reads when it runs, so a retry works on
 * current data.
 */
export interface JobPayloads {
  /** `recovery`: merged as a crash left it (torn last chunk cut off, the gap recorded). */
  merge: { recordingId: string; recovery?: boolean };
  recording_upload: { recordingId: string | null };
  transcription: { answerId: string };
  evaluation: JsonObject;
  report: { trigger: 'session_end' | 'manual' };
  local_purge: { reason: string };
}

export type JobStatus = JobRowStatus;

/** What the finish screen shows per job. */
export interface JobState {
  id: number;
  kind: JobKind;
  sessionId: string | null;
  key: string;
  payload: JsonValue;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  /** Epoch ms of the next attempt (queued jobs); the time it became due otherwise. */
  nextAttemptAt: number;
  lastError: { code: string; message: string } | null;
  result: JsonValue | null;
  /** Ids of the jobs this one waits for. */
  dependsOn: number[];
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Attempts before a job is failed, per kind. Work that waits for a provider or the network
 * (evaluation, uploads, transcription) gets many: with the backoff cap of an hour that is days of
 * being offline before the finish screen says "failed". */
export const DEFAULT_MAX_ATTEMPTS: Record<JobKind, number> = {
  merge: 3,
  recording_upload: 100,
  transcription: 50,
  evaluation: 100,
  report: 5,
  // Retried while the session is not synced yet: hourly after the first few, about six weeks.
  local_purge: 1000,
};

export interface EnqueueInput<K extends JobKind> {
  kind: K;
  sessionId?: string | null;
  /** Unique per kind: enqueueing the same (kind, key) again is a no-op returning the first job's id. */
  key: string;
  payload: JobPayloads[K];
  /** Job ids that must be finished (done or failed) before this one is picked. */
  dependsOn?: number[];
  /** Epoch ms; defaults to now (the clock is the same Date.now the runner uses by default). */
  runAt?: number;
  maxAttempts?: number;
  /** Epoch ms "now" for created_at (tests inject it; the runner's clock by default is Date.now). */
  now?: number;
}

type Listener = (jobId: number) => void;
// Runners attached to a connection, nudged after an enqueue on it. Keyed by the raw handle so a
// Tx from store.write and one from txOn over the same handle both reach them.
const nudgers = new WeakMap<object, Set<Listener>>();

/** Called by a runner: `listener` runs (after the current transaction) with each new job's id. */
export function onEnqueue(tx: Pick<Tx, 'raw'>, listener: Listener): () => void {
  let set = nudgers.get(tx.raw);
  if (!set) nudgers.set(tx.raw, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

/**
 * Writes the job in the caller's transaction and returns its id. Synchronous, so it can sit next to
 * the domain write inside `store.write(...)`: both commit or neither does.
 */
export function enqueueJob<K extends JobKind>(tx: Tx, input: EnqueueInput<K>): number {
  const now = input.now ?? Date.now();
  const at = new Date(now).toISOString();
  const inserted = tx.raw
    .prepare(
      `INSERT INTO jobs (kind, session_id, dedupe_key, payload, max_attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, dedupe_key) DO NOTHING RETURNING id`,
    )
    .get(
      input.kind,
      input.sessionId ?? null,
      input.key,
      JSON.stringify(input.payload),
      Math.max(1, Math.floor(input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS[input.kind])),
      input.runAt ?? now,
      at,
      at,
    ) as { id: number } | undefined;
  if (!inserted) return jobId(tx, input.kind, input.key)!;
  const dep = tx.raw.prepare(`INSERT OR IGNORE INTO job_deps (job_id, depends_on) VALUES (?, ?)`);
  for (const other of input.dependsOn ?? []) dep.run(inserted.id, other);
  // After the caller's transaction: a microtask runs once the synchronous write has committed (or
  // rolled back, in which case the runner simply finds nothing new).
  const listeners = nudgers.get(tx.raw);
  if (listeners?.size) queueMicrotask(() => listeners.forEach((l) => l(inserted.id)));
  return inserted.id;
}

export function jobId(tx: Pick<Tx, 'raw'>, kind: JobKind, key: string): number | undefined {
  const row = tx.raw.prepare(`SELECT id FROM jobs WHERE kind = ? AND dedupe_key = ?`).get(kind, key) as
    { id: number } | undefined;
  return row?.id;
}

type JobRow = JobsTable & { id: number; status: JobStatus; attempts: number; deps: string | null };

const SELECT_JOB = `SELECT j.*, (SELECT json_group_array(d.depends_on) FROM job_deps d WHERE d.job_id = j.id) AS deps
  FROM jobs j`;

export function toJobState(row: JobRow): JobState {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    sessionId: row.session_id,
    key: row.dedupe_key,
    payload: JSON.parse(row.payload) as JsonValue,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError:
      row.last_error_code !== null
        ? { code: row.last_error_code, message: row.last_error_message ?? '' }
        : null,
    result: row.result === null ? null : (JSON.parse(row.result) as JsonValue),
    dependsOn: row.deps ? (JSON.parse(row.deps) as number[]).sort((a, b) => a - b) : [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function jobById(tx: Pick<Tx, 'raw'>, id: number): JobState | undefined {
  const row = tx.raw.prepare(`${SELECT_JOB} WHERE j.id = ?`).get(id) as JobRow | undefined;
  return row ? toJobState(row) : undefined;
}

/** The state of one job, found by what enqueued it. */
export function jobState(tx: Pick<Tx, 'raw'>, kind: JobKind, key: string): JobState | undefined {
  const row = tx.raw.prepare(`${SELECT_JOB} WHERE j.kind = ? AND j.dedupe_key = ?`).get(kind, key) as
    JobRow | undefined;
  return row ? toJobState(row) : undefined;
}

/** Every job of a session, in the order they were enqueued (the finish screen's progress). */
export function jobsFor(tx: Pick<Tx, 'raw'>, sessionId: string): JobState[] {
  const rows = tx.raw
    .prepare(`${SELECT_JOB} WHERE j.session_id = ? ORDER BY j.id`)
    .all(sessionId) as JobRow[];
  return rows.map(toJobState);
}

/**
 * Makes a queued or failed job due now (a person asked for it: `vigil evaluate`), with one more
 * attempt allowed if it had used them all. Done and running jobs are left as they are.
 */
export function runJobNow(tx: Tx, kind: JobKind, key: string, now: number = Date.now()): void {
  tx.raw
    .prepare(
      `UPDATE jobs SET status = 'queued', next_attempt_at = ?, max_attempts = max(max_attempts, attempts + 1),
         finished_at = NULL, updated_at = ? WHERE kind = ? AND dedupe_key = ? AND status IN ('queued', 'failed')`,
    )
    .run(now, new Date(now).toISOString(), kind, key);
}
