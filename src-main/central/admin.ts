// Admin operations on the central store that the admin CLI, the admin screens and the tests share:
// users, exams, one-time enrollment codes, device revocation, proctor logins and assignments.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { VigilError } from '../errors';
import { checkStorageQuotaPolicy } from './storage-quota';
import { checkEvaluationPolicy } from '../evaluation/evaluation-policy';
import { normaliseEnrollmentCode } from './device-channel';
import type { CentralDatabase, ExamType, KeyQuestion } from './schema';

type Db = Kysely<CentralDatabase>;

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

export async function createUser(
  db: Db,
  user: { email: string; role: 'candidate' | 'proctor' | 'admin'; displayName?: string },
): Promise<string> {
  const row = await db
    .insertInto('vigil.users')
    .values({ email: user.email, role: user.role, display_name: user.displayName ?? '', pg_role: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function createExam(
  db: Db,
  exam: {
    title: string;
    type: ExamType;
    difficulty: number;
    keyQuestions?: KeyQuestion[];
    resumeId?: string | null;
    jobListingId?: string | null;
    policy?: Record<string, unknown>;
    retentionDays?: number;
    uploadMode?: 'full' | 'flags_only';
    createdBy?: string | null;
  },
): Promise<string> {
  checkEvaluationPolicy(exam.policy ?? {});
  checkStorageQuotaPolicy(exam.policy ?? {});
  const row = await db
    .insertInto('vigil.exams')
    .values({
      title: exam.title,
      type: exam.type,
      difficulty: exam.difficulty,
      key_questions: JSON.stringify(exam.keyQuestions ?? []),
      resume_id: exam.resumeId ?? null,
      job_listing_id: exam.jobListingId ?? null,
      policy: JSON.stringify(exam.policy ?? {}),
      ...(exam.retentionDays ? { retention_days: exam.retentionDays } : {}),
      upload_mode: exam.uploadMode ?? 'full',
      created_by: exam.createdBy ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A resume an exam's questions and evaluation are based on (its extracted text), owned by a user. */
export async function createResume(
  db: Db,
  resume: { userId: string; fileName: string; text: string },
): Promise<string> {
  const row = await db
    .insertInto('vigil.resumes')
    .values({
      user_id: resume.userId,
      file_name: resume.fileName,
      content_text: resume.text,
      blob_sha256: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The job listing an exam interviews for. */
export async function createJobListing(
  db: Db,
  listing: { userId: string; title: string; description: string },
): Promise<string> {
  const row = await db
    .insertInto('vigil.job_listings')
    .values({ user_id: listing.userId, title: listing.title, description: listing.description })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The longest a code may stay redeemable (the server's CHECK enforces it too; migration 0500). */
export const MAX_ENROLLMENT_TTL_MINUTES = 14 * 24 * 60;

/**
 * What a new code's row stores (migration 0500): the lookup (first four characters), a random salt,
 * and the SQL expression that hashes it with the server's pepper, which never leaves the database.
 */
export function enrollmentCodeColumns(code: string): {
  lookup: string;
  salt: Buffer;
  normalised: string;
} {
  const normalised = normaliseEnrollmentCode(code);
  return { lookup: normalised.slice(0, 4), salt: randomBytes(16), normalised };
}

export function checkEnrollmentTtl(minutes: number): void {
  if (!(minutes <= MAX_ENROLLMENT_TTL_MINUTES))
    throw new VigilError(
      'BAD_REQUEST',
      `An enrollment code may stay valid for at most ${MAX_ENROLLMENT_TTL_MINUTES / 60 / 24} days; issue codes closer to the exam.`,
      { ttlMinutes: minutes, maxMinutes: MAX_ENROLLMENT_TTL_MINUTES },
    );
}

/** The plain hash of codes issued before migration 0500 (still accepted until they expire). */
export function hashEnrollmentCode(code: string): Buffer {
  return createHash('sha256').update(normaliseEnrollmentCode(code), 'utf8').digest();
}

/** A one-time code for (candidate, exam); only its hash is stored. Shown once as XXXX-XXXX-XXXX. */
export async function createEnrollmentCode(
  db: Db,
  input: { candidateId: string; examId: string; ttlMinutes?: number; createdBy?: string | null },
): Promise<{ code: string; expiresAt: Date }> {
  let raw = '';
  for (let i = 0; i < 12; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  const code = `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
  const ttlMinutes = input.ttlMinutes ?? 24 * 60;
  checkEnrollmentTtl(ttlMinutes);
  const expiresAt = new Date(Date.now() + ttlMinutes * 60_000);
  const { lookup, salt, normalised } = enrollmentCodeColumns(code);
  await db
    .insertInto('vigil.enrollments')
    .values({
      candidate_id: input.candidateId,
      exam_id: input.examId,
      code_lookup: lookup,
      code_salt: salt,
      code_hash: sql<Buffer>`vigil.enrollment_code_hash(${normalised}, ${salt})`,
      expires_at: expiresAt,
      created_by: input.createdBy ?? null,
    })
    .execute();
  return { code, expiresAt };
}

export async function revokeDevice(db: Db, deviceId: string): Promise<void> {
  const result = await db
    .updateTable('vigil.devices')
    .set({ revoked_at: new Date() })
    .where('id', '=', deviceId)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new VigilError('NOT_FOUND', `No device ${deviceId}.`);
  await db
    .insertInto('vigil.audit_log')
    .values({
      action: 'revoke_device',
      target_table: 'devices',
      target_id: deviceId,
      device_id: deviceId,
      actor_user_id: null,
    })
    .execute();
}

const ROLE_NAME = /^[a-z][a-z0-9_]{2,62}$/;

/**
 * A PostgreSQL login for a proctor or admin user, member of vigil_proctor / vigil_admin. Needs a
 * role with CREATEROLE (the migration owner).
 */
export async function createStaffLogin(
  db: Db,
  input: { userId: string; roleName: string; password: string; group: 'vigil_proctor' | 'vigil_admin' },
): Promise<void> {
  if (!ROLE_NAME.test(input.roleName)) {
    throw new VigilError('BAD_REQUEST', 'Role names are 3–63 lower-case letters, digits or underscores.', {
      roleName: input.roleName,
    });
  }
  await sql`CREATE ROLE ${sql.id(input.roleName)} LOGIN PASSWORD ${sql.lit(input.password)} IN ROLE ${sql.id(input.group)}`.execute(
    db,
  );
  await db
    .updateTable('vigil.users')
    .set({ pg_role: input.roleName })
    .where('id', '=', input.userId)
    .execute();
}

/**
 * The PostgreSQL login devices connect with, member of vigil_device, carrying its own statement
 * timeout. Role settings are not inherited from a group role, and a SET clause on a function does
 * not bound the statement already running, so the login is where the timeout has to live. Needs a
 * role with CREATEROLE (the migration owner).
 */
export async function createDeviceLogin(
  db: Db,
  input: { roleName: string; password: string; statementTimeoutMs?: number },
): Promise<void> {
  if (!ROLE_NAME.test(input.roleName)) {
    throw new VigilError('BAD_REQUEST', 'Role names are 3–63 lower-case letters, digits or underscores.', {
      roleName: input.roleName,
    });
  }
  const timeout = Math.round(input.statementTimeoutMs ?? 15_000);
  if (!(timeout >= 100 && timeout <= 600_000)) {
    throw new VigilError('BAD_REQUEST', 'The statement timeout must be between 100 ms and 10 minutes.', {
      statementTimeoutMs: input.statementTimeoutMs,
    });
  }
  await sql`CREATE ROLE ${sql.id(input.roleName)} LOGIN PASSWORD ${sql.lit(input.password)} IN ROLE vigil_device`.execute(
    db,
  );
  await sql`ALTER ROLE ${sql.id(input.roleName)} SET statement_timeout = ${sql.lit(`${timeout}ms`)}`.execute(
    db,
  );
}

export async function assignProctor(db: Db, examId: string, proctorId: string): Promise<void> {
  await db
    .insertInto('vigil.proctor_assignments')
    .values({ exam_id: examId, proctor_id: proctorId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * The PostgreSQL login a central worker (`vigil worker`) connects with, member of vigil_worker. Its
 * sessions run as vigil_worker (a role setting), so the job-queue tables pg-boss creates belong to
 * the group and every worker login, on any machine, shares them. Needs a role with CREATEROLE.
 */
export async function createWorkerLogin(
  db: Db,
  input: { roleName: string; password: string },
): Promise<void> {
  if (!ROLE_NAME.test(input.roleName)) {
    throw new VigilError('BAD_REQUEST', 'Role names are 3–63 lower-case letters, digits or underscores.', {
      roleName: input.roleName,
    });
  }
  await sql`CREATE ROLE ${sql.id(input.roleName)} LOGIN PASSWORD ${sql.lit(input.password)} IN ROLE vigil_worker`.execute(
    db,
  );
  await sql`ALTER ROLE ${sql.id(input.roleName)} SET role = 'vigil_worker'`.execute(db);
}
