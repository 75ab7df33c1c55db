// The enrollments of this installation: one row per redeemed code, as the central server returned
// it (each redemption is its own central device row with its own token). An exam's latest row is its
// current enrollment, the one new sessions start under; an earlier row of the same exam stays for
// the sessions started under it, since central files a session under the device row it began on.
// Tokens live in the TokenVaults (device-credentials.ts), never in SQLite; a row names its file.
import type { Tx } from './local-store';
import type { EnrollmentsTable } from './schema';

export interface Enrollment {
  deviceId: string;
  candidateId: string;
  examId: string;
  tokenStorage: 'file' | 'safeStorage';
  /** The token's file in the data folder (default: tokenFileFor this device). */
  tokenFile?: string;
  enrolledAt: string;
  expiresAt: string | null;
}

export type SavedEnrollment = Enrollment & { tokenFile: string };

/** The first enrollment's file keeps the name the single-device token always had. */
export const FIRST_TOKEN_FILE = 'device-token';

/** Where the token of this device row goes: its existing file, else a free name. */
export function tokenFileFor(tx: Tx, deviceId: string): string {
  const existing = enrollmentOfDevice(tx, deviceId);
  if (existing) return existing.tokenFile;
  const taken = tx.first(
    tx.q.selectFrom('enrollments').select('device_id').where('token_file', '=', FIRST_TOKEN_FILE),
  );
  return taken ? `${FIRST_TOKEN_FILE}-${deviceId.replace(/[^A-Za-z0-9-]/g, '')}` : FIRST_TOKEN_FILE;
}

export function saveEnrollment(tx: Tx, enrollment: Enrollment): SavedEnrollment {
  const tokenFile = enrollment.tokenFile ?? tokenFileFor(tx, enrollment.deviceId);
  const row: EnrollmentsTable = {
    device_id: enrollment.deviceId,
    exam_id: enrollment.examId,
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
      .onConflict((oc) => oc.column('device_id').doUpdateSet(row)),
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

/** The current enrollment of every exam (its latest), in the order the exams were first enrolled. */
export function loadEnrollments(tx: Tx): SavedEnrollment[] {
  const rows = tx.all(tx.q.selectFrom('enrollments').selectAll().orderBy('enrolled_at').orderBy('device_id'));
  const current = new Map<string, SavedEnrollment>(); // a later row replaces, in the first one's place
  for (const row of rows) current.set(row.exam_id, fromRow(row));
  return [...current.values()];
}

/** The exam's current enrollment (its latest), if it is enrolled here. */
export function enrollmentFor(tx: Tx, examId: string): SavedEnrollment | undefined {
  const row = tx.first(
    tx.q
      .selectFrom('enrollments')
      .selectAll()
      .where('exam_id', '=', examId)
      .orderBy('enrolled_at', 'desc')
      .orderBy('device_id', 'desc')
      .limit(1),
  );
  return row ? fromRow(row) : undefined;
}

/** The enrollment of one central device row (current or earlier). */
export function enrollmentOfDevice(tx: Tx, deviceId: string): SavedEnrollment | undefined {
  const row = tx.first(tx.q.selectFrom('enrollments').selectAll().where('device_id', '=', deviceId));
  return row ? fromRow(row) : undefined;
}

/** The most recent enrollment of any exam (what a single-exam caller means by "the device"). */
export function latestEnrollment(tx: Tx): SavedEnrollment | undefined {
  const row = tx.first(
    tx.q
      .selectFrom('enrollments')
      .selectAll()
      .orderBy('enrolled_at', 'desc')
      .orderBy('device_id', 'desc')
      .limit(1),
  );
  return row ? fromRow(row) : undefined;
}

export function isExpired(enrollment: Enrollment, now: Date = new Date()): boolean {
  return enrollment.expiresAt !== null && Date.parse(enrollment.expiresAt) <= now.getTime();
}
