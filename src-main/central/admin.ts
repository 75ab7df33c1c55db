// Admin operations on the central store that the admin CLI, the admin screens and the tests share:
// users, exams, one-time enrollment codes, device revocation, proctor logins and assignments.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { VigilError } from '../errors';
import { checkStorageQuotaPolicy } from './storage-quota';
import { checkEvaluationPolicy } from '../evaluation/evaluation-policy';
import { normaliseEnrollmentCode } from './device-channel';
import type { SqlQuery } from './connect';
import { scramVerifier } from './scram';
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

/** What a device login may hold open at once when the caller does not say (see createDeviceLogin). */
export const DEFAULT_DEVICE_CONNECTION_LIMIT = 4;

export type LoginGroup = 'vigil_admin' | 'vigil_proctor' | 'vigil_worker' | 'vigil_device';

/**
 * The one path that creates a PostgreSQL login: `vigil.create_login` (migration 0510), a definer
 * function of the migration owner that grants only the Vigil group roles. The password is turned
 * into a SCRAM-SHA-256 verifier here, so no SQL text (server log, pg_stat_statements) ever holds
 * it. Callable by the owner and by admin logins (which have no CREATEROLE of their own).
 */
export async function createLogin(
  db: Db | SqlQuery,
  input: {
    roleName: string;
    password: string;
    group: LoginGroup;
    connectionLimit?: number;
    statementTimeoutMs?: number;
    userId?: string;
  },
): Promise<void> {
  if (!ROLE_NAME.test(input.roleName)) {
    throw new VigilError('BAD_REQUEST', 'Role names are 3–63 lower-case letters, digits or underscores.', {
      roleName: input.roleName,
    });
  }
  const query: SqlQuery =
    typeof db === 'function'
      ? db
      : async <R>(text: string, params: unknown[] = []) =>
          (await db.executeQuery<R>(CompiledQuery.raw(text, params))).rows;
  try {
    await query(`SELECT vigil.create_login($1, $2, $3, $4::integer, $5::integer, $6::uuid)`, [
      input.roleName,
      input.group,
      scramVerifier(input.password),
      input.connectionLimit ?? null,
      input.statementTimeoutMs ?? null,
      input.userId ?? null,
    ]);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '22023' || code === '42710')
      throw new VigilError(
        'BAD_REQUEST',
        (error as Error).message,
        { roleName: input.roleName },
        { cause: error },
      );
    if (code === '42501')
      throw new VigilError(
        'FORBIDDEN',
        `${(error as Error).message}. Logins are created by an admin login or the migration owner (which needs CREATEROLE).`,
        { roleName: input.roleName },
        { cause: error },
      );
    throw error;
  }
}

/**
 * A PostgreSQL login for a proctor or admin user, member of vigil_proctor / vigil_admin, linked to
 * the user (users.pg_role). Admin logins get no CREATEROLE: they add staff through the same function.
 */
export async function createStaffLogin(
  db: Db,
  input: { userId: string; roleName: string; password: string; group: 'vigil_proctor' | 'vigil_admin' },
): Promise<void> {
  await createLogin(db, {
    roleName: input.roleName,
    password: input.password,
    group: input.group,
    userId: input.userId,
  });
}

/**
 * The PostgreSQL login devices connect with, member of vigil_device, carrying its own statement
 * timeout and connection limit. Role settings are not inherited from a group role, and a SET clause
 * on a function does not bound the statement already running, so the login is where the timeout has
 * to live. The connection limit (default 4, a device's pool) bounds what one login can take from
 * the server's max_connections; a login shared by many devices, or the login a connection pooler
 * uses, needs a limit sized for all of them (e.g. devices × pool size, or the pooler's pool size).
 */
export async function createDeviceLogin(
  db: Db,
  input: { roleName: string; password: string; statementTimeoutMs?: number; connectionLimit?: number },
): Promise<void> {
  const timeout = Math.round(input.statementTimeoutMs ?? 15_000);
  if (!(timeout >= 100 && timeout <= 600_000)) {
    throw new VigilError('BAD_REQUEST', 'The statement timeout must be between 100 ms and 10 minutes.', {
      statementTimeoutMs: input.statementTimeoutMs,
    });
  }
  const limit = input.connectionLimit ?? DEFAULT_DEVICE_CONNECTION_LIMIT;
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 10_000)) {
    throw new VigilError('BAD_REQUEST', 'A device login needs a connection limit between 1 and 10000.', {
      connectionLimit: input.connectionLimit,
    });
  }
  await createLogin(db, {
    roleName: input.roleName,
    password: input.password,
    group: 'vigil_device',
    statementTimeoutMs: timeout,
    connectionLimit: limit,
  });
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
 * the group and every worker login, on any machine, shares them.
 */
export async function createWorkerLogin(
  db: Db,
  input: { roleName: string; password: string },
): Promise<void> {
  // PostgreSQL refuses a `role` setting inside a definer function, so the caller sets it, in the
  // same transaction: the migration owner (CREATEROLE) can, an admin login cannot.
  await db.transaction().execute(async (trx) => {
    await createLogin(trx, { roleName: input.roleName, password: input.password, group: 'vigil_worker' });
    try {
      await sql`ALTER ROLE ${sql.id(input.roleName)} SET role = 'vigil_worker'`.execute(trx);
    } catch (error) {
      if ((error as { code?: string }).code !== '42501') throw error;
      throw new VigilError(
        'FORBIDDEN',
        "Worker logins are added with the migration owner's login (it has CREATEROLE): run `vigil admin add-worker --db <owner URL>`.",
        { roleName: input.roleName },
        { cause: error },
      );
    }
  });
}
