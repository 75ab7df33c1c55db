// Central PostgreSQL: sessions and everything recorded in them (events with their hash chain,
// warnings, questions, messages, evaluations, token usage, blobs), proctor reviews and decisions,
// the audit log and the ingest receipts that make device writes exactly-once. Deleting a session
// removes its evidence; token usage survives with its user, exam or session set to null.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE vigil.sessions (
    id uuid PRIMARY KEY,
    exam_id uuid NOT NULL REFERENCES vigil.exams(id) ON DELETE CASCADE,
    candidate_id uuid NOT NULL REFERENCES vigil.users(id) ON DELETE CASCADE,
    device_id uuid REFERENCES vigil.devices(id) ON DELETE SET NULL,
    status text NOT NULL DEFAULT 'in_progress'
      CHECK (status IN ('in_progress', 'completed', 'abandoned', 'terminated')),
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    id_verification_status text CHECK (id_verification_status IN ('verified', 'needs_review', 'rejected')),
    id_details jsonb,
    id_image_sha256 bytea,
    video_sha256 bytea,
    risk_score numeric(5, 2) CHECK (risk_score BETWEEN 0 AND 100),
    chain_seq integer NOT NULL DEFAULT 0,
    chain_head bytea NOT NULL DEFAULT decode(repeat('00', 32), 'hex'),
    max_seq integer NOT NULL DEFAULT 0,
    evidence_verdict text NOT NULL DEFAULT 'intact'
      CHECK (evidence_verdict IN ('intact', 'incomplete', 'gap', 'altered')),
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX sessions_exam ON vigil.sessions(exam_id)`.execute(db);
  await sql`CREATE INDEX sessions_candidate ON vigil.sessions(candidate_id)`.execute(db);
  await sql`CREATE TABLE vigil.events (
    session_id uuid NOT NULL REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    seq integer NOT NULL CHECK (seq >= 1),
    kind text NOT NULL,
    occurred_at timestamptz NOT NULL,
    body text NOT NULL,
    payload jsonb NOT NULL,
    prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash bytea NOT NULL CHECK (length(hash) = 32),
    hash_valid boolean NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, seq)
  )`.execute(db);
  await sql`CREATE TABLE vigil.blobs (
    id uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    device_id uuid REFERENCES vigil.devices(id) ON DELETE SET NULL,
    kind text NOT NULL CHECK (kind IN ('snapshot', 'id_image', 'video', 'audio', 'pdf', 'other')),
    sha256 bytea NOT NULL CHECK (length(sha256) = 32),
    size bigint NOT NULL CHECK (size >= 0),
    content_type text NOT NULL,
    received bigint NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'uploading' CHECK (status IN ('uploading', 'complete')),
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz
  )`.execute(db);
  await sql`CREATE INDEX blobs_session ON vigil.blobs(session_id)`.execute(db);
  await sql`CREATE INDEX blobs_sha256 ON vigil.blobs(sha256)`.execute(db);
  await sql`CREATE TABLE vigil.blob_chunks (
    blob_id uuid NOT NULL REFERENCES vigil.blobs(id) ON DELETE CASCADE,
    "offset" bigint NOT NULL CHECK ("offset" >= 0),
    sha256 bytea NOT NULL CHECK (length(sha256) = 32),
    data bytea NOT NULL,
    PRIMARY KEY (blob_id, "offset")
  )`.execute(db);
  // Chunks are already compressed media: skip TOAST compression.
  await sql`ALTER TABLE vigil.blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL`.execute(db);
  await sql`CREATE TABLE vigil.warnings (
    id uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    type text NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
    severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    confidence real CHECK (confidence BETWEEN 0 AND 1),
    details jsonb NOT NULL DEFAULT '{}',
    snapshot_sha256 bytea,
    source text NOT NULL DEFAULT 'device' CHECK (source IN ('device', 'server')),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
  )`.execute(db);
  await sql`CREATE INDEX warnings_session ON vigil.warnings(session_id)`.execute(db);
  await sql`CREATE TABLE vigil.questions (
    id uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    ordinal integer NOT NULL CHECK (ordinal >= 0),
    text text NOT NULL,
    time_limit_s integer CHECK (time_limit_s > 0),
    asked_at timestamptz,
    answered_at timestamptz,
    answer_text text,
    answer_audio_sha256 bytea,
    UNIQUE (session_id, ordinal)
  )`.execute(db);
  await sql`CREATE TABLE vigil.messages (
    id uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    question_id uuid REFERENCES vigil.questions(id) ON DELETE SET NULL,
    role text NOT NULL CHECK (role IN ('interviewer', 'candidate', 'system')),
    content text NOT NULL,
    created_at timestamptz NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX messages_session ON vigil.messages(session_id)`.execute(db);
  await sql`CREATE TABLE vigil.evaluations (
    id uuid PRIMARY KEY,
    session_id uuid NOT NULL UNIQUE REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    professionalism integer NOT NULL CHECK (professionalism BETWEEN 0 AND 100),
    subject_knowledge integer NOT NULL CHECK (subject_knowledge BETWEEN 0 AND 100),
    clarity integer NOT NULL CHECK (clarity BETWEEN 0 AND 100),
    overall integer NOT NULL CHECK (overall BETWEEN 0 AND 100),
    traits jsonb NOT NULL DEFAULT '[]',
    suggestions jsonb NOT NULL DEFAULT '[]',
    feedback text NOT NULL DEFAULT '',
    question_responses jsonb NOT NULL DEFAULT '[]',
    details jsonb NOT NULL DEFAULT '{}',
    evaluator text NOT NULL,
    pdf_sha256 bytea,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE TABLE vigil.token_usage (
    id uuid PRIMARY KEY,
    user_id uuid REFERENCES vigil.users(id) ON DELETE SET NULL,
    exam_id uuid REFERENCES vigil.exams(id) ON DELETE SET NULL,
    session_id uuid REFERENCES vigil.sessions(id) ON DELETE SET NULL,
    model text NOT NULL,
    prompt_tokens integer NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens integer NOT NULL CHECK (completion_tokens >= 0),
    total_tokens integer NOT NULL CHECK (total_tokens >= 0),
    request_type text NOT NULL,
    cost numeric(12, 6) NOT NULL DEFAULT 0 CHECK (cost >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX token_usage_exam ON vigil.token_usage(exam_id)`.execute(db);
  await sql`CREATE TABLE vigil.reviews (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    warning_id uuid NOT NULL REFERENCES vigil.warnings(id) ON DELETE CASCADE,
    reviewer_id uuid REFERENCES vigil.users(id) ON DELETE SET NULL,
    verdict text NOT NULL CHECK (verdict IN ('confirmed', 'dismissed', 'unclear')),
    comment text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE TABLE vigil.session_decisions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id uuid NOT NULL REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    decided_by uuid REFERENCES vigil.users(id) ON DELETE SET NULL,
    decision text NOT NULL CHECK (decision IN ('pass', 'fail', 'retake', 'needs_review')),
    reason text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE TABLE vigil.audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor_role name NOT NULL DEFAULT session_user,
    actor_user_id uuid REFERENCES vigil.users(id) ON DELETE SET NULL,
    device_id uuid REFERENCES vigil.devices(id) ON DELETE SET NULL,
    action text NOT NULL,
    target_table text,
    target_id text,
    details jsonb NOT NULL DEFAULT '{}'
  )`.execute(db);
  await sql`CREATE TABLE vigil.ingest_receipts (
    device_id uuid NOT NULL REFERENCES vigil.devices(id) ON DELETE CASCADE,
    idempotency_key text NOT NULL,
    kind text NOT NULL,
    status text NOT NULL CHECK (status IN ('applied', 'rejected')),
    reason text,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, idempotency_key)
  )`.execute(db);
  // Usage roll-ups; security_invoker so the reader's row-level security applies, not the owner's.
  await sql`CREATE VIEW vigil.token_usage_by_exam WITH (security_invoker = true) AS
    SELECT exam_id, model, count(*) AS requests, sum(prompt_tokens) AS prompt_tokens,
           sum(completion_tokens) AS completion_tokens, sum(total_tokens) AS total_tokens, sum(cost) AS cost
    FROM vigil.token_usage GROUP BY exam_id, model`.execute(db);
  await sql`CREATE VIEW vigil.token_usage_cumulative WITH (security_invoker = true) AS
    SELECT date_trunc('day', created_at) AS day, sum(total_tokens) AS total_tokens, sum(cost) AS cost,
           sum(sum(cost)) OVER (ORDER BY date_trunc('day', created_at)) AS cumulative_cost
    FROM vigil.token_usage GROUP BY 1`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP VIEW vigil.token_usage_cumulative, vigil.token_usage_by_exam`.execute(db);
  for (const table of [
    'ingest_receipts',
    'audit_log',
    'session_decisions',
    'reviews',
    'token_usage',
    'evaluations',
    'messages',
    'questions',
    'warnings',
    'blob_chunks',
    'blobs',
    'events',
    'sessions',
  ]) {
    await sql`DROP TABLE ${sql.table(`vigil.${table}`)}`.execute(db);
  }
}
