// Typed view of the central PostgreSQL schema (`vigil`), matching migrations/central. Kysely uses it
// to check admin and review queries at compile time.
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { ExamType, Severity } from '../../src-preload/vocabulary';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T extends object | null> = JSONColumnType<T, string, string>;
/** numeric comes back from pg as a string to keep its precision. */
type Numeric = ColumnType<string, number | string, number | string>;

export type { ExamType } from '../../src-preload/vocabulary';
export interface KeyQuestion {
  question: string;
  time_limit_s: number;
}

export interface UsersTable {
  id: Generated<string>;
  role: 'candidate' | 'proctor' | 'admin';
  email: string;
  display_name: Generated<string>;
  pg_role: string | null;
  created_at: DefaultTimestamp;
}
export interface ResumesTable {
  id: Generated<string>;
  user_id: string;
  file_name: string;
  content_text: Generated<string>;
  blob_sha256: Buffer | null;
  created_at: DefaultTimestamp;
}
export interface JobListingsTable {
  id: Generated<string>;
  user_id: string;
  title: string;
  description: Generated<string>;
  created_at: DefaultTimestamp;
}
export interface ExamsTable {
  id: Generated<string>;
  title: string;
  type: ExamType;
  difficulty: number;
  key_questions: ColumnType<KeyQuestion[], string | undefined, string>;
  resume_id: string | null;
  job_listing_id: string | null;
  policy: ColumnType<Record<string, unknown>, string | undefined, string>;
  retention_days: Generated<number>;
  upload_mode: ColumnType<'full' | 'flags_only', 'full' | 'flags_only' | undefined>;
  /** The exam's window (central 0445): key released only inside it; devices keep uploading for the grace hours after it closes (0455). */
  opens_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  closes_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  late_upload_grace_hours: Generated<number>;
  created_by: string | null;
  created_at: DefaultTimestamp;
}
export interface ProctorAssignmentsTable {
  exam_id: string;
  proctor_id: string;
  assigned_at: DefaultTimestamp;
}
export interface EnrollmentsTable {
  id: Generated<string>;
  candidate_id: string;
  exam_id: string;
  code_hash: Buffer;
  /** First four characters of the code (0500); null for codes issued before, which use a plain hash. */
  code_lookup: Generated<string | null>;
  code_salt: Generated<Buffer | null>;
  failed_attempts: Generated<number>;
  locked_at: Generated<Timestamp | null>;
  expires_at: Timestamp;
  redeemed_at: Timestamp | null;
  device_id: string | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
}
export interface DevicesTable {
  id: Generated<string>;
  candidate_id: string;
  exam_id: string;
  enrollment_id: string | null;
  label: Generated<string>;
  token_hash: Buffer;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  /** Set by the worker's expiry once the exam's window and its grace have passed (central 0455). */
  window_closed_at: ColumnType<Date | null, never, never>;
  last_seen_at: Timestamp | null;
  created_at: DefaultTimestamp;
}
export type EvidenceVerdict = 'intact' | 'incomplete' | 'gap' | 'altered';
export interface SessionsTable {
  id: string;
  exam_id: string;
  candidate_id: string;
  device_id: string | null;
  status: ColumnType<
    'in_progress' | 'completed' | 'abandoned' | 'terminated',
    'in_progress' | 'completed' | 'abandoned' | 'terminated' | undefined
  >;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  id_verification_status: 'verified' | 'needs_review' | 'rejected' | null;
  id_details: Json<Record<string, unknown>> | null;
  id_image_sha256: Buffer | null;
  video_sha256: Buffer | null;
  /** When the merged recording's first frame was recorded (its time 0). */
  video_started_at: Timestamp | null;
  poster_sha256: Buffer | null;
  risk_score: Numeric | null;
  /** The score's explanation (src-preload/risk-explanation.ts); set with the score (migration 0402). */
  risk_factors: Json<Record<string, unknown>> | null;
  /** The central worker's risk from the warnings the server holds, with its factors (migration 0410). */
  server_risk_score: Numeric | null;
  server_risk_factors: Json<Record<string, unknown>> | null;
  server_risk_at: Timestamp | null;
  chain_seq: Generated<number>;
  chain_head: Generated<Buffer>;
  max_seq: Generated<number>;
  evidence_verdict: ColumnType<EvidenceVerdict, EvidenceVerdict | undefined>;
  created_at: DefaultTimestamp;
}
export interface EventsTable {
  session_id: string;
  seq: number;
  kind: string;
  occurred_at: Timestamp;
  body: string;
  payload: Json<object>;
  prev_hash: Buffer;
  hash: Buffer;
  hash_valid: boolean;
  received_at: DefaultTimestamp;
}
export interface BlobsTable {
  id: string;
  session_id: string;
  device_id: string | null;
  kind: 'snapshot' | 'id_image' | 'video' | 'audio' | 'pdf' | 'other';
  sha256: Buffer;
  size: ColumnType<string, number | string, number | string>;
  content_type: string;
  received: ColumnType<string, number | string | undefined, number | string>;
  status: ColumnType<'uploading' | 'complete', 'uploading' | 'complete' | undefined>;
  created_at: DefaultTimestamp;
  completed_at: Timestamp | null;
}
export interface BlobChunksTable {
  blob_id: string;
  offset: ColumnType<string, number | string, number | string>;
  sha256: Buffer;
  data: Buffer;
}
export interface WarningsTable {
  id: string;
  session_id: string;
  type: string;
  severity: Severity;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  confidence: number | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  snapshot_sha256: Buffer | null;
  source: ColumnType<'device' | 'server', 'device' | 'server' | undefined>;
}
export interface QuestionsTable {
  id: string;
  session_id: string;
  ordinal: number;
  text: string;
  time_limit_s: number | null;
  asked_at: Timestamp | null;
  answered_at: Timestamp | null;
  answer_text: string | null;
  answer_audio_sha256: Buffer | null;
}
export interface MessagesTable {
  id: string;
  session_id: string;
  question_id: string | null;
  role: 'interviewer' | 'candidate' | 'system';
  content: string;
  created_at: Timestamp;
}
export interface EvaluationsTable {
  id: string;
  session_id: string;
  professionalism: number;
  subject_knowledge: number;
  clarity: number;
  overall: number;
  traits: ColumnType<unknown[], string | undefined, string>;
  suggestions: ColumnType<unknown[], string | undefined, string>;
  feedback: Generated<string>;
  question_responses: ColumnType<unknown[], string | undefined, string>;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  evaluator: string;
  pdf_sha256: Buffer | null;
  created_at: DefaultTimestamp;
}
/** The central worker's evaluation of a session (migration 0410); the device's stays in `evaluations`. */
export interface ServerEvaluationsTable {
  session_id: string;
  evaluator: 'openai' | 'local';
  model: string;
  label: string;
  professionalism: number;
  subject_knowledge: number;
  clarity: number;
  overall: number;
  traits: ColumnType<unknown[], string | undefined, string>;
  suggestions: ColumnType<unknown[], string | undefined, string>;
  feedback: Generated<string>;
  question_responses: ColumnType<unknown[], string | undefined, string>;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** The worker that made it (`vigil worker --id`, default host:pid). */
  evaluated_by: string;
  job_id: string | null;
  created_at: DefaultTimestamp;
}
/** Work made due by a finish or a warning, waiting to be moved into the worker's job queue. */
export interface WorkerRequestsTable {
  /** The session the work is about, or null for work about an exam (exam_id). */
  session_id: string | null;
  kind: 'evaluate' | 'risk' | 'transcribe' | 'questions';
  requested_at: DefaultTimestamp;
  exam_id: string | null;
}
/** The worker's transcript of a spoken answer (its audio as the server holds it). */
export interface ServerTranscriptsTable {
  question_id: string;
  audio_sha256: Buffer;
  session_id: string;
  status: 'done' | 'failed';
  text: string | null;
  reason: string | null;
  model: string | null;
  transcribed_by: string;
  job_id: string | null;
  created_at: DefaultTimestamp;
}
/** An exam's generated questions, made once by the worker from the exam's basis. */
export interface ExamGeneratedQuestionsTable {
  exam_id: string;
  basis: ColumnType<Record<string, unknown>, string, string>;
  questions: ColumnType<KeyQuestion[], string, string>;
  generator: 'ai' | 'local';
  model: string | null;
  generated_by: string;
  job_id: string | null;
  created_at: DefaultTimestamp;
}
export interface TokenUsageTable {
  id: string;
  user_id: string | null;
  exam_id: string | null;
  session_id: string | null;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  request_type: string;
  cost: ColumnType<string, number | string | undefined, number | string>;
  created_at: DefaultTimestamp;
}
export interface ReviewsTable {
  id: Generated<string>;
  warning_id: string;
  reviewer_id: string | null;
  verdict: 'confirmed' | 'dismissed' | 'unclear';
  comment: Generated<string>;
  created_at: DefaultTimestamp;
}
export interface SessionDecisionsTable {
  id: Generated<string>;
  session_id: string;
  decided_by: string | null;
  decision: 'pass' | 'fail' | 'retake' | 'needs_review';
  reason: Generated<string>;
  created_at: DefaultTimestamp;
}
export interface AuditLogTable {
  id: Generated<string>;
  at: DefaultTimestamp;
  actor_role: Generated<string>;
  actor_user_id: string | null;
  device_id: string | null;
  action: string;
  target_table: string | null;
  target_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}
export interface IngestReceiptsTable {
  device_id: string;
  idempotency_key: string;
  kind: string;
  status: 'applied' | 'rejected';
  reason: string | null;
  received_at: DefaultTimestamp;
}
export interface TokenUsageByExamView {
  exam_id: string | null;
  model: string;
  requests: string;
  prompt_tokens: string;
  completion_tokens: string;
  total_tokens: string;
  cost: string;
}
export interface TokenUsageCumulativeView {
  day: Date;
  total_tokens: string;
  cost: string;
  cumulative_cost: string;
}

/** What a purge or a credential expiry did (central 0455): written only by its definer function. */
export interface RetentionReceiptsTable {
  id: ColumnType<string, never, never>;
  kind: ColumnType<'purge' | 'credential_expiry', never, never>;
  at: ColumnType<Date, never, never>;
  login: ColumnType<string, never, never>;
  worker_id: ColumnType<string | null, never, never>;
  policy: ColumnType<Record<string, unknown>, never, never>;
  sessions: ColumnType<{ id: string; examId: string; endedAt: string | null }[], never, never>;
  devices: ColumnType<{ id: string; examId: string; candidateId: string }[], never, never>;
  rows: ColumnType<Record<string, number>, never, never>;
  blob_bytes: ColumnType<string, never, never>;
}

export interface CentralDatabase {
  'vigil.users': UsersTable;
  'vigil.resumes': ResumesTable;
  'vigil.job_listings': JobListingsTable;
  'vigil.exams': ExamsTable;
  'vigil.proctor_assignments': ProctorAssignmentsTable;
  'vigil.enrollments': EnrollmentsTable;
  'vigil.devices': DevicesTable;
  'vigil.sessions': SessionsTable;
  'vigil.events': EventsTable;
  'vigil.blobs': BlobsTable;
  'vigil.blob_chunks': BlobChunksTable;
  'vigil.warnings': WarningsTable;
  'vigil.questions': QuestionsTable;
  'vigil.messages': MessagesTable;
  'vigil.evaluations': EvaluationsTable;
  'vigil.token_usage': TokenUsageTable;
  'vigil.server_evaluations': ServerEvaluationsTable;
  'vigil.worker_requests': WorkerRequestsTable;
  'vigil.server_transcripts': ServerTranscriptsTable;
  'vigil.exam_generated_questions': ExamGeneratedQuestionsTable;
  'vigil.reviews': ReviewsTable;
  'vigil.session_decisions': SessionDecisionsTable;
  'vigil.audit_log': AuditLogTable;
  'vigil.ingest_receipts': IngestReceiptsTable;
  'vigil.retention_receipts': RetentionReceiptsTable;
  'vigil.token_usage_by_exam': TokenUsageByExamView;
  'vigil.token_usage_cumulative': TokenUsageCumulativeView;
}
