// Wires the local store, the device token, the central connection and the uploader together for
// the app (shell or host), and pushes every status change as the `syncStatus` contract event.
import path from 'node:path';
import type { SslMode } from '../central/connect';
import { openCentral, type CentralStore } from '../central/connect';
import { sqlDeviceChannel, type DeviceChannel } from '../central/device-channel';
import type { EventBus } from '../rpc/event-bus';
import { createTokenVault, type SecretCipher, type TokenVault } from '../store/device-credentials';
import { openLocalStore, type LocalStore } from '../store/local-store';
import { Uploader } from './uploader';

export function localDbPath(dataDir: string): string {
  return path.join(dataDir, 'vigil.db');
}

export interface SyncService {
  store: LocalStore;
  vault: TokenVault;
  channel: DeviceChannel;
  central: CentralStore;
  uploader: Uploader;
  close(): Promise<void>;
}

export async function createSyncService(options: {
  dataDir: string;
  central: { url?: string; sslMode?: SslMode; caFile?: string };
  events?: EventBus;
  /** Electron safeStorage in the shell; absent in host mode (0600 file). */
  cipher?: SecretCipher;
  start?: boolean;
}): Promise<SyncService> {
  const store = await openLocalStore(localDbPath(options.dataDir));
  const vault = createTokenVault(options.dataDir, options.cipher);
  const central = await openCentral({
    ...options.central,
    embeddedDir: path.join(options.dataDir, 'central'),
  });
  const channel = sqlDeviceChannel(central.query);
  const uploader = new Uploader({
    store,
    channel,
    token: () => vault.load(),
    onStatus: (status) => options.events?.emit('syncStatus', status),
  });
  if (options.start !== false) uploader.start();
  return {
    store,
    vault,
    channel,
    central,
    uploader,
    close: async () => {
      await uploader.stop();
      await central.close();
      await store.close();
    },
  };
}
