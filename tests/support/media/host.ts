// Starts the real composition root and headless host on a throwaway data folder, serving a given
// renderer folder: the same path a renderer's chunks take in the product (contract over WebSocket).
import path from 'node:path';
import { createApp, type VigilApp } from '../../../src-main/app/create-app';
import { loadConfig } from '../../../src-main/config/load';
import { startHost, type RunningHost } from '../../../src-main/host/server';
import { buildLogger } from '../../../src-main/log/logger';

export interface MediaHost {
  app: VigilApp;
  host: RunningHost;
  close(): Promise<void>;
}

export async function startMediaHost(dataDir: string, rendererDir: string): Promise<MediaHost> {
  const loaded = loadConfig({
    env: { VIGIL_DATA_DIR: dataDir },
    policyFile: path.join(dataDir, 'no-policy.json'),
    userFile: path.join(dataDir, 'no-settings.json'),
  });
  const logger = buildLogger('silent');
  const app = createApp({ loaded, logger, mode: 'host' });
  const host = await startHost({ app, rendererDir, logger });
  return {
    app,
    host,
    close: async () => {
      await host.close();
      await app.close();
    },
  };
}
