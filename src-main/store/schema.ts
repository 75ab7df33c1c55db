// Typed view of the whole local SQLite schema, every table of migrations/local: the store's own
// (0001–0099), the media ledger (0100), interview, documents, evaluation and token usage (0200) and
// the candidate's progress (0300). One LocalStore owns the file, so one schema types it.
import type { Generated } from 'kysely';

/** One row per redeemed enrollment code; an exam's latest is its current one (migration 0304). */
export interface EnrollmentsTable {
  device_id: string;
  exam_id: string;
  candidate_id: string;
  central_label: string | null;
  token_storage: 'file' | 'safeStorage';
  /** The file in the data folder holding this enrollment's token (see device-credentials.ts). */
  token_file: string;
  enrolled_at: string;
  expires_at: string | null;
}
export interface CachedExamsTable {
  id: string;
  /** What the exam list shows before the start (CachedExamInfo); the rest is in `sealed`. */
  definition: string;
  sealed: Buffer;
  offline_salt: Buffer | null;
  offline_wrapped_key: Buffer | null;
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
  /** The enrollment (central device row) the session was started under: its token sends the session. */
  device_id: string | null;
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
  /** The enrollment (central device row) whose token sends this item (null: not enrolled when written). */
  device_id: string | null;
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
  /** The VigilError code of a refusal (QUOTA_EXCEEDED is retried after a quota change). */
  reason_code: Generated<string | null>;
  created_at: string;
  completed_at: string | null;
}
export interface SyncStateTable {
  key: string;
  value: string;
}

export type RecordingState = 'recording' | 'stopped' | 'merged' | 'recovered' | 'failed';
export type UploadMode = 'full' | 'flags_only';
export interface MediaRecordingsTable {
  id: string;
  session_id: string;
  dir: string;
  mime_type: string;
  upload_mode: UploadMode;
  mp4: number;
  state: RecordingState;
  started_at: string;
  ended_at: string | null;
  stop_reason: string | null;
  merged_path: string | null;
  merged_duration_s: number | null;
  error: string | null;
}
export interface MediaSegmentsTable {
  recording_id: string;
  segment: number;
  file: string;
  durable_bytes: number;
  chunks: number;
  recorded_ms: number;
  created_at: string;
  last_chunk_at: string | null;
}
export interface MediaChunksTable {
  recording_id: string;
  segment: number;
  seq: number;
  offset: number;
  size: number;
  sha256: string;
  elapsed_ms: number;
  received_at: string;
}
export interface MediaEventsTable {
  id: Generated<number>;
  recording_id: string;
  session_id: string;
  kind: string;
  payload: string;
  at: string;
}
/** The media ledger's tables (src-main/media/ledger.ts). */
export interface MediaTables {
  media_recordings: MediaRecordingsTable;
  media_segments: MediaSegmentsTable;
  media_chunks: MediaChunksTable;
  media_events: MediaEventsTable;
}

export interface SessionExamsTable {
  session_id: string;
  exam_id: string;
  /** The exam snapshot (exam, resume and job listing text, accommodation) as JSON. */
  exam_json: string;
  user_id: string | null;
  started_at: string;
  ended_at: string | null;
}
export interface QuestionsTable {
  id: string;
  session_id: string;
  seq: number;
  text: string;
  time_limit_s: number;
  source: 'admin' | 'ai' | 'local';
  asked_at: string | null;
  closed_at: string | null;
  close_reason: 'answered' | 'time_limit' | 'ended' | 'interrupted' | null;
}
export interface AnswersTable {
  question_id: string;
  session_id: string;
  text: Generated<string>;
  audio_path: string | null;
  audio_mime: string | null;
  transcript: string | null;
  transcription_status: Generated<'none' | 'pending' | 'done' | 'failed' | 'not_configured'>;
  elapsed_ms: Generated<number>;
  timed_out: Generated<0 | 1>;
  final: Generated<0 | 1>;
  updated_at: string;
}
export interface MessagesTable {
  session_id: string;
  seq: number;
  role: 'system' | 'assistant' | 'user';
  content: string;
  question_id: string | null;
  created_at: string;
}
/** `resumes` and `job_listings` share one shape. */
export interface DocumentsTable {
  id: string;
  title: string;
  format: 'pdf' | 'docx' | 'text';
  file_name: string | null;
  byte_size: number;
  sha256: string;
  text: string;
  created_at: string;
}
export interface EvaluationsTable {
  id: string;
  session_id: string;
  evaluator: 'openai' | 'local';
  model: string;
  label: string;
  professionalism: number;
  subject_knowledge: number;
  clarity: number;
  overall: number;
  /** JSON arrays and objects as text. */
  traits: string;
  suggestions: string;
  feedback: string;
  question_responses: string;
  details: string;
  created_at: string;
}
export interface LocalTokenUsageTable {
  id: Generated<number>;
  created_at: string;
  model: string;
  request_type: 'evaluation' | 'question_generation' | 'transcription';
  status: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  audio_seconds: number | null;
  cost_nano_usd: number | null;
  session_id: string | null;
  exam_id: string | null;
  user_id: string | null;
  http_status: number | null;
  attempt: number;
  /** Assigned when the row is queued for central (0204). */
  central_id: string | null;
}
export interface CandidateProgressTable {
  session_id: string;
  exam_id: string;
  stage: 'system_check' | 'id_verification' | 'interview' | 'finish';
  consented_at: string;
  analysis_fps: Generated<number>;
  recording_id: string | null;
  id_decision: string | null;
  reference_embedding: string | null;
  updated_at: string;
}

export interface LocalDatabase extends MediaTables {
  enrollments: EnrollmentsTable;
  cached_exams: CachedExamsTable;
  sessions: LocalSessionsTable;
  events: LocalEventsTable;
  warnings: LocalWarningsTable;
  snapshots: SnapshotsTable;
  outbox: OutboxTable;
  blob_uploads: BlobUploadsTable;
  sync_state: SyncStateTable;
  session_exams: SessionExamsTable;
  questions: QuestionsTable;
  answers: AnswersTable;
  messages: MessagesTable;
  resumes: DocumentsTable;
  job_listings: DocumentsTable;
  evaluations: EvaluationsTable;
  token_usage: LocalTokenUsageTable;
  candidate_progress: CandidateProgressTable;
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
