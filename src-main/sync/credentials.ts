// Which token sends an exam's items: the token of that exam's own enrollment, and no other. An exam
// whose enrollment is gone or expired, or whose token is missing, gets the reason its items are
// held instead (they stay on the device and are sent once the exam is enrolled again).
import type { Credential } from './uploader';
import type { TokenVaults } from '../store/device-credentials';
import { enrollmentFor, isExpired, loadEnrollments, type SavedEnrollment } from '../store/enrollments';
import type { LocalStore } from '../store/local-store';

function tokenOf(vaults: TokenVaults, enrollment: SavedEnrollment, now: Date): Credential {
  if (isExpired(enrollment, now))
    return {
      held: `The enrollment for exam ${enrollment.examId} expired on ${enrollment.expiresAt}. Enter a new enrollment code for this exam to send its data.`,
    };
  const token = vaults.forFile(enrollment.tokenFile).load();
  return (
    token ?? {
      held: `The credential for exam ${enrollment.examId} is missing from this device. Enter a new enrollment code for this exam to send its data.`,
    }
  );
}

/**
 * The credential for an exam's items. `null` asks for items of no exam (a usage row outside any
 * session): they go with the most recent enrollment still valid. Undefined: not enrolled at all.
 */
export function enrollmentCredential(
  store: LocalStore,
  vaults: TokenVaults,
  examId: string | null,
  now: Date = new Date(),
): Credential {
  if (examId === null) {
    const all = loadEnrollments(store);
    if (all.length === 0) return undefined;
    const valid = all.filter((e) => !isExpired(e, now));
    return tokenOf(vaults, valid[valid.length - 1] ?? all[all.length - 1]!, now);
  }
  const enrollment = enrollmentFor(store, examId);
  if (!enrollment)
    return {
      held: `This device is not enrolled for exam ${examId}. Enter the enrollment code for this exam to send its data.`,
    };
  return tokenOf(vaults, enrollment, now);
}
