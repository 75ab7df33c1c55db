// Enrolment of this device with a one-time code: the only step of the candidate's flow that needs
// the network. The device token goes to the vault, the exam definition to the local cache.
import os from 'node:os';
import type { DeviceChannel } from '../central/device-channel';
import { VigilError } from '../errors';
import type { Logger } from '../log/logger';
import type { TokenVault } from '../store/device-credentials';
import { saveDevice } from '../store/device';
import { cacheExam } from '../store/exam-cache';
import type { LocalStore } from '../store/local-store';

export async function enrollDevice(
  deps: { store: LocalStore; tokens: TokenVault; central: () => Promise<DeviceChannel>; logger: Logger },
  code: string,
): Promise<void> {
  let central: DeviceChannel;
  try {
    central = await deps.central();
  } catch (error) {
    throw new VigilError(
      'UNAVAILABLE',
      'Enrollment needs a connection to your institution’s server. Try again when you are online.',
      undefined,
      { cause: error },
    );
  }
  const redemption = await central.redeem(code, `${os.hostname()} (${process.platform})`);
  const exam = await central.fetchExam(redemption.token);
  deps.tokens.save(redemption.token);
  deps.store.write('enroll', (tx) => {
    cacheExam(tx, exam);
    saveDevice(tx, {
      deviceId: redemption.deviceId,
      candidateId: redemption.candidateId,
      examId: redemption.examId,
      tokenStorage: 'file',
      enrolledAt: new Date().toISOString(),
      expiresAt: redemption.expiresAt,
    });
  });
  deps.logger.info({ deviceId: redemption.deviceId, examId: redemption.examId }, 'device enrolled');
}
