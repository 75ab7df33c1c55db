// Enrollment on the device: redeem the one-time code for a device token, keep the token in that
// enrollment's vault (OS keychain or 0600 file), record the enrollment and cache the exam so it
// can run offline. Each code enrolls one exam: enrolling another exam adds an enrollment next to
// the ones there (each with its own central device row and token); enrolling an exam that is
// already here makes the new one that exam's current enrollment (new sessions start under it; the
// earlier one keeps sending the sessions started under it) and leaves the other exams alone.
import type { DeviceChannel } from '../central/device-channel';
import { VigilError } from '../errors';
import type { TokenVaults } from '../store/device-credentials';
import {
  enrollmentFor,
  isExpired,
  latestEnrollment,
  loadEnrollments,
  saveEnrollment,
  tokenFileFor,
  type SavedEnrollment,
} from '../store/enrollments';
import { cacheExam, cachedExamInfo, type CachedExamInfo } from '../store/exam-cache';
import type { LocalStore } from '../store/local-store';

export async function enrollDevice(input: {
  store: LocalStore;
  channel: DeviceChannel;
  vaults: TokenVaults;
  code: string;
  label: string;
}): Promise<{ device: SavedEnrollment; exam: CachedExamInfo }> {
  const redemption = await input.channel.redeem(input.code, input.label);
  const examDefinition = await input.channel.fetchExam(redemption.token);
  const profile = await input.channel.profile(redemption.token);
  // The token is on disk before the row that names its file: a crash in between leaves a file
  // no row points to (harmless), never a row without its token.
  const tokenFile = tokenFileFor(input.store, redemption.deviceId);
  input.vaults.forFile(tokenFile).save(redemption.token);
  return input.store.write('saving the enrollment', (tx) => {
    const device = saveEnrollment(tx, {
      deviceId: redemption.deviceId,
      candidateId: redemption.candidateId,
      examId: redemption.examId,
      tokenStorage: input.vaults.storage,
      tokenFile,
      enrolledAt: new Date().toISOString(),
      expiresAt: redemption.expiresAt,
    });
    const name = profile.displayName;
    if (name)
      tx.run(
        tx.q
          .insertInto('sync_state')
          .values({ key: 'candidate_name', value: name })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: name })),
      );
    return { device, exam: cacheExam(tx, examDefinition) };
  });
}

/**
 * Enrolled exams with no cached copy (a device upgraded from the plaintext cache, which local
 * migration 0305 dropped) are fetched again, sealed, with each enrollment's own token. Returns the
 * exam ids fetched; an exam whose fetch fails stays missing until the next try.
 */
export async function refetchMissingExams(input: {
  store: LocalStore;
  channel: DeviceChannel;
  vaults: TokenVaults;
}): Promise<string[]> {
  const fetched: string[] = [];
  for (const enrollment of loadEnrollments(input.store)) {
    if (isExpired(enrollment) || cachedExamInfo(input.store, enrollment.examId)) continue;
    const token = input.vaults.forFile(enrollment.tokenFile).load();
    if (!token) continue;
    const definition = await input.channel.fetchExam(token);
    input.store.write('caching the exam again', (tx) => cacheExam(tx, definition));
    fetched.push(enrollment.examId);
  }
  return fetched;
}

/**
 * An exam this device is enrolled for (the latest one when no exam is named), from the local
 * cache: works with the server unreachable.
 */
export function enrolledExam(
  store: LocalStore,
  examId?: string,
): { device: SavedEnrollment; exam: CachedExamInfo } {
  const device = examId === undefined ? latestEnrollment(store) : enrollmentFor(store, examId);
  if (!device)
    throw new VigilError(
      'NOT_READY',
      examId === undefined
        ? 'This device is not enrolled yet. Enter the enrollment code you were given.'
        : 'This device is not enrolled for that exam. Enter the enrollment code you were given for it.',
      examId === undefined ? undefined : { examId },
    );
  const exam = cachedExamInfo(store, device.examId);
  if (!exam)
    throw new VigilError('NOT_READY', 'The exam for this device is not cached. Connect once to download it.');
  return { device, exam };
}

/** The candidate's display name as the server gave it at enrollment (null before, or if it had none). */
export function enrolledCandidateName(store: LocalStore): string | null {
  const row = store.raw.prepare(`SELECT value FROM sync_state WHERE key = 'candidate_name'`).get() as
    { value: string } | undefined;
  return row?.value ?? null;
}
