// Enrolment of this device with a one-time code: the only step of the candidate's flow that needs
// the network. The work is sync/enroll.ts (the one enrollment path): the device token to the vault,
// the exam definition to the local cache, and the candidate's name as the server knows it, which
// the session's report prints.
import os from 'node:os';
import type { DeviceChannel } from '../central/device-channel';
import { VigilError } from '../errors';
import type { Logger } from '../log/logger';
import type { TokenVault } from '../store/device-credentials';
import type { LocalStore } from '../store/local-store';
import { enrollDevice as redeemAndCache } from '../sync/enroll';

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
  const { device } = await redeemAndCache({
    store: deps.store,
    channel: central,
    vault: deps.tokens,
    code,
    label: `${os.hostname()} (${process.platform})`,
  });
  deps.logger.info({ deviceId: device.deviceId, examId: device.examId }, 'device enrolled');
}
