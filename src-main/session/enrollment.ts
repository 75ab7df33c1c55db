// Enrolment of this device for an exam with a one-time code: the only step of the candidate's flow
// that needs the network. Each code adds (or refreshes) one exam's enrollment with its own token
// (src-main/sync/enroll.ts); the exams enrolled before stay as they are.
import os from 'node:os';
import type { DeviceChannel } from '../central/device-channel';
import { VigilError } from '../errors';
import type { Logger } from '../log/logger';
import type { TokenVaults } from '../store/device-credentials';
import type { LocalStore } from '../store/local-store';
import { enrollDevice as redeemAndSave } from '../sync/enroll';

export async function enrollDevice(
  deps: { store: LocalStore; tokens: TokenVaults; central: () => Promise<DeviceChannel>; logger: Logger },
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
  const { device } = await redeemAndSave({
    store: deps.store,
    channel: central,
    vaults: deps.tokens,
    code,
    label: `${os.hostname()} (${process.platform})`,
  });
  deps.logger.info({ deviceId: device.deviceId, examId: device.examId }, 'device enrolled for an exam');
}
