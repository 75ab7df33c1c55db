// The exams this installation is enrolled for: one row per exam, as the central server returned it
// when that exam's enrollment code was redeemed (each redemption is its own central device row with
// its own token). The tokens live in the TokenVaults (device-credentials.ts), never in SQLite; a row
// names the file holding its token. Enrolling an exam again replaces that exam's row, never another's.
import type { Tx } from './local-store';
import type { EnrollmentsTable } from './schema';

export interface Enrollment {
  deviceId: string;
  candidateId: string;
  examId: string;
  tokenStorage: 'file' | 'safeStorage';
  /** The token's file in the data folder (defaults to the one this exam already has, else a new one). */
  tokenFile?: string;
  enrolledAt: string;
  expiresAt: string | null;
}

export type SavedEnrollment = Enrollment & { tokenFile: string };

/** The first enrollment's file keeps the name the single-device token always had. */
export const FIRST_TOKEN_FILE = 'device-token';

/** Where the token of an enrollment for this exam goes: its existing file, else a free name. */
export function tokenFileFor(tx: Tx, examId: string, deviceId: string): string {
  const existing = enrollmentFor(tx, examId);
  if (existing) return existing.tokenFile;
  const taken = tx.first(
    tx.q.selectFrom('enrollments').select('exam_id').where('token_file', '=', FIRST_TOKEN_FILE),
  );
  return taken ? `${FIRST_TOKEN_FILE}-${deviceId.replace(/[^A-Za-z0-9-]/g, '')}` : FIRST_TOKEN_FILE;
}

export function saveEnrollment(tx: Tx, enrollment: Enrollment): SavedEnrollment {
  const tokenFile = enrollment.tokenFile ?? tokenFileFor(tx, enrollment.examId, enrollment.deviceId);
  const row: EnrollmentsTable = {
    exam_id: enrollment.examId,
    device_id: enrollment.deviceId,
    candidate_id: enrollment.candidateId,
    central_label: null,
    token_storage: enrollment.tokenStorage,
    token_file: tokenFile,
    enrolled_at: enrollment.enrolledAt,
    expires_at: enrollment.expiresAt,
  };
  tx.run(
    tx.q
      .insertInto('enrollments')
      .values(row)
      .onConflict((oc) => oc.column('exam_id').doUpdateSet(row)),
  );
  return { ...enrollment, tokenFile };
}

function fromRow(row: EnrollmentsTable): SavedEnrollment {
  return {
    deviceId: row.device_id,
    candidateId: row.candidate_id,
    examId: row.exam_id,
    tokenStorage: row.token_storage,
    tokenFile: row.token_file,
    enrolledAt: row.enrolled_at,
    expiresAt: row.expires_at,
  };
}

/** Every enrollment, oldest first. */
export function loadEnrollments(tx: Tx): SavedEnrollment[] {
  return tx
    .all(tx.q.selectFrom('enrollments').selectAll().orderBy('enrolled_at').orderBy('exam_id'))
    .map(fromRow);
}

export function enrollmentFor(tx: Tx, examId: string): SavedEnrollment | undefined {
  const row = tx.first(tx.q.selectFrom('enrollments').selectAll().where('exam_id', '=', examId));
  return row ? fromRow(row) : undefined;
}

/** The most recent enrollment (what a single-exam caller means by "the device"), if any. */
export function latestEnrollment(tx: Tx): SavedEnrollment | undefined {
  const all = loadEnrollments(tx);
  return all[all.length - 1];
}

export function isExpired(enrollment: Enrollment, now: Date = new Date()): boolean {
  return enrollment.expiresAt !== null && Date.parse(enrollment.expiresAt) <= now.getTime();
}
