// Typed view of the local SQLite schema (migrations/local 0001–0099). Other domains extend the
// store with their own tables in their own migration ranges and their own interfaces.
import type { Generated } from 'kysely';

export interface DeviceTable {
  id: 1;
  device_id: string;
  candidate_id: string;
  exam_id: string;
  central_label: string | null;
  token_storage: 'file' | 'safeStorage';
  enrolled_at: string;
  expires_at: string | null;
}
export interface CachedExamsTable {
  id: string;
  definition: string;
  fetched_at: string;
}
export type SessionStatus = 'in_progress' | 'completed' | 'abandoned' | 'terminated';
export interface LocalSessionsTable {
  id: string;
  exam_id: string;
  status: Generated<SessionStatus>;
  started_at: string;
  ended_at: string | null;
  id_verification_status: 'verified' | 'needs_review' | 'rejected' | null;
  id_details: string | null;
  risk_score: number | null;
  chain_seq: Generated<number>;
  chain_head: Generated<Buffer>;
}
export interface LocalEventsTable {
  session_id: string;
  seq: number;
  kind: string;
  at: string;
  body: string;
  prev_hash: Buffer;
  hash: Buffer;
}
export interface LocalWarningsTable {
  id: string;
  session_id: string;
  type: string;
  severity: 'low' | 'medium' | 'high';
  started_at: string;
  ended_at: string | null;
  confidence: number | null;
  details: Generated<string>;
  snapshot_id: string | null;
}
export interface SnapshotsTable {
  id: string;
  session_id: string;
  warning_id: string | null;
  path: string;
  sha256: string;
  bytes: number;
  taken_at: string;
}
export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  idempotency_key: string;
  payload: string;
  bytes: number;
  created_at: string;
  attempts: Generated<number>;
  status: Generated<'pending' | 'rejected'>;
  reason: string | null;
}
export type BlobKind = 'snapshot' | 'id_image' | 'video' | 'audio' | 'pdf' | 'other';
export interface BlobUploadsTable {
  id: string;
  session_id: string;
  kind: BlobKind;
  path: string;
  sha256: string;
  size: number;
  content_type: string;
  uploaded_bytes: Generated<number>;
  status: Generated<'pending' | 'done' | 'rejected'>;
  delete_after_upload: 0 | 1;
  receipt: string | null;
  reason: string | null;
  created_at: string;
  completed_at: string | null;
}
export interface SyncStateTable {
  key: string;
  value: string;
}

export interface LocalDatabase {
  device: DeviceTable;
  cached_exams: CachedExamsTable;
  sessions: LocalSessionsTable;
  events: LocalEventsTable;
  warnings: LocalWarningsTable;
  snapshots: SnapshotsTable;
  outbox: OutboxTable;
  blob_uploads: BlobUploadsTable;
  sync_state: SyncStateTable;
}

// ── jobs (migration 0004, src-main/store/jobs.ts) ─────────────────────────────────────────────────
// Self-contained block: the interface below merges into LocalDatabase by declaration merging, so
// this block can be moved into the main interface without touching anything else.
export type JobRowStatus = 'queued' | 'running' | 'done' | 'failed';
export interface JobsTable {
  id: Generated<number>;
  kind: string;
  session_id: string | null;
  dedupe_key: string;
  /** JSON text. */
  payload: string;
  status: Generated<JobRowStatus>;
  attempts: Generated<number>;
  max_attempts: number;
  /** Epoch milliseconds: compared with the runner's clock. */
  next_attempt_at: number;
  last_error_code: string | null;
  last_error_message: string | null;
  /** JSON text, set when done. */
  result: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}
export interface JobDepsTable {
  job_id: number;
  depends_on: number;
}
export interface LocalDatabase {
  jobs: JobsTable;
  job_deps: JobDepsTable;
}
