// Central PostgreSQL: users, resumes, job listings, exams, proctor assignments, enrollments and
// devices. Deletion rules follow the seeds: a user's resumes and job listings go with the user; a
// deleted resume or job listing leaves the exam with a null link.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE vigil.users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    role text NOT NULL CHECK (role IN ('candidate', 'proctor', 'admin')),
    email text NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 320),
    display_name text NOT NULL DEFAULT '',
    pg_role name UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (pg_role IS NULL OR role <> 'candidate')
  )`.execute(db);
  await sql`CREATE TABLE vigil.resumes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES vigil.users(id) ON DELETE CASCADE,
    file_name text NOT NULL,
    content_text text NOT NULL DEFAULT '',
    blob_sha256 bytea,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX resumes_user ON vigil.resumes(user_id)`.execute(db);
  await sql`CREATE TABLE vigil.job_listings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES vigil.users(id) ON DELETE CASCADE,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX job_listings_user ON vigil.job_listings(user_id)`.execute(db);
  await sql`CREATE TABLE vigil.exams (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    type text NOT NULL CHECK (type IN ('GEN', 'SKL', 'PER', 'FIN')),
    difficulty integer NOT NULL CHECK (difficulty BETWEEN 1 AND 10),
    key_questions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(key_questions) = 'array'),
    resume_id uuid REFERENCES vigil.resumes(id) ON DELETE SET NULL,
    job_listing_id uuid REFERENCES vigil.job_listings(id) ON DELETE SET NULL,
    policy jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(policy) = 'object'),
    retention_days integer NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 1 AND 3650),
    upload_mode text NOT NULL DEFAULT 'full' CHECK (upload_mode IN ('full', 'flags_only')),
    created_by uuid REFERENCES vigil.users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX exams_resume ON vigil.exams(resume_id)`.execute(db);
  await sql`CREATE INDEX exams_job_listing ON vigil.exams(job_listing_id)`.execute(db);
  await sql`CREATE TABLE vigil.proctor_assignments (
    exam_id uuid NOT NULL REFERENCES vigil.exams(id) ON DELETE CASCADE,
    proctor_id uuid NOT NULL REFERENCES vigil.users(id) ON DELETE CASCADE,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (exam_id, proctor_id)
  )`.execute(db);
  await sql`CREATE INDEX proctor_assignments_proctor ON vigil.proctor_assignments(proctor_id)`.execute(db);
  await sql`CREATE TABLE vigil.enrollments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    candidate_id uuid NOT NULL REFERENCES vigil.users(id) ON DELETE CASCADE,
    exam_id uuid NOT NULL REFERENCES vigil.exams(id) ON DELETE CASCADE,
    code_hash bytea NOT NULL UNIQUE CHECK (length(code_hash) = 32),
    expires_at timestamptz NOT NULL,
    redeemed_at timestamptz,
    device_id uuid,
    created_by uuid REFERENCES vigil.users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE TABLE vigil.devices (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    candidate_id uuid NOT NULL REFERENCES vigil.users(id) ON DELETE CASCADE,
    exam_id uuid NOT NULL REFERENCES vigil.exams(id) ON DELETE CASCADE,
    enrollment_id uuid REFERENCES vigil.enrollments(id) ON DELETE SET NULL,
    label text NOT NULL DEFAULT '',
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    last_seen_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'devices',
    'enrollments',
    'proctor_assignments',
    'exams',
    'job_listings',
    'resumes',
    'users',
  ]) {
    await sql`DROP TABLE ${sql.table(`vigil.${table}`)}`.execute(db);
  }
}
