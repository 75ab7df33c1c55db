// Which token sends an item: the token of the enrollment its session was started under (a central
// device row), and no other. An enrollment that expired, or whose token is missing, gets the reason
// its items are held instead: they stay on the device, never sent with another enrollment's token.
import type { TokenVaults } from '../store/device-credentials';
import { enrollmentOfDevice, isExpired, latestEnrollment, type SavedEnrollment } from '../store/enrollments';
import { cachedExamInfo } from '../store/exam-cache';
import type { LocalStore } from '../store/local-store';
import type { Credential } from './uploader';

function tokenOf(store: LocalStore, vaults: TokenVaults, enrollment: SavedEnrollment, now: Date): Credential {
  const title = cachedExamInfo(store, enrollment.examId)?.title ?? `exam ${enrollment.examId}`;
  if (isExpired(enrollment, now))
    return {
      held: `The enrollment this data was recorded under (${title}) expired on ${enrollment.expiresAt}. It stays on this device and is not sent with any other enrollment; tell your institution, which decides what happens to it.`,
    };
  const token = vaults.forFile(enrollment.tokenFile).load();
  return (
    token ?? {
      held: `The credential of the enrollment for ${title} is missing from this device. Its data stays here; ask your institution for help.`,
    }
  );
}

/**
 * The credential for one enrollment's items. `null` asks for items written with no enrollment
 * (only before any existed): the latest enrollment's. Undefined: this device is not enrolled at all.
 */
export function enrollmentCredential(
  store: LocalStore,
  vaults: TokenVaults,
  deviceId: string | null,
  now: Date = new Date(),
): Credential {
  if (deviceId === null) {
    const latest = latestEnrollment(store);
    return latest ? tokenOf(store, vaults, latest, now) : undefined;
  }
  const enrollment = enrollmentOfDevice(store, deviceId);
  if (!enrollment)
    return latestEnrollment(store) === undefined
      ? undefined
      : {
          held: `The enrollment this data was recorded under (device ${deviceId}) is no longer on this device. It stays here and is never sent with another enrollment.`,
        };
  return tokenOf(store, vaults, enrollment, now);
}
