// Enrollment on the device: redeem the one-time code for a device token, keep the token in the
// vault (OS keychain or 0600 file), record the device and cache the exam so it can run offline.
import type { DeviceChannel } from '../central/device-channel';
import { VigilError } from '../errors';
import type { TokenVault } from '../store/device-credentials';
import { loadDevice, saveDevice, type EnrolledDevice } from '../store/device';
import { cacheExam, cachedExam, type CachedExam } from '../store/exam-cache';
import type { LocalStore } from '../store/local-store';

export async function enrollDevice(input: {
  store: LocalStore;
  channel: DeviceChannel;
  vault: TokenVault;
  code: string;
  label: string;
}): Promise<{ device: EnrolledDevice; exam: CachedExam }> {
  const redemption = await input.channel.redeem(input.code, input.label);
  input.vault.save(redemption.token);
  const examDefinition = await input.channel.fetchExam(redemption.token);
  const profile = await input.channel.profile(redemption.token);
  const device: EnrolledDevice = {
    deviceId: redemption.deviceId,
    candidateId: redemption.candidateId,
    examId: redemption.examId,
    tokenStorage: input.vault.storage,
    enrolledAt: new Date().toISOString(),
    expiresAt: redemption.expiresAt,
  };
  const exam = input.store.write('saving the enrollment', (tx) => {
    saveDevice(tx, device);
    const name = profile.displayName;
    if (name)
      tx.run(
        tx.q
          .insertInto('sync_state')
          .values({ key: 'candidate_name', value: name })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: name })),
      );
    return cacheExam(tx, examDefinition);
  });
  return { device, exam };
}

/** The exam this device is enrolled for, from the local cache: works with the server unreachable. */
export function enrolledExam(store: LocalStore): { device: EnrolledDevice; exam: CachedExam } {
  const device = loadDevice(store);
  if (!device)
    throw new VigilError(
      'NOT_READY',
      'This device is not enrolled yet. Enter the enrollment code you were given.',
    );
  const exam = cachedExam(store, device.examId);
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
