// Starts the app for a given mode: loads the layered configuration, opens the rotating log in the
// data folder and builds the services. Shared by the CLI host, the demo and the Electron shell.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type LoadConfigOptions } from '../config/load';
import { createFileLogger } from '../log/logger';
import { createApp, type VigilApp } from './create-app';

export interface BootedApp {
  app: VigilApp;
  dataDir: string;
  close(): Promise<void>;
}

export async function bootApp(
  mode: 'electron' | 'host',
  configOptions: LoadConfigOptions = {},
  shell: Pick<Parameters<typeof createApp>[0], 'secretCipher' | 'updater' | 'chooseDiagnosticsFile'> = {},
): Promise<BootedApp> {
  const loaded = loadConfig(configOptions);
  fs.mkdirSync(loaded.dataDir, { recursive: true, mode: 0o700 });
  const { log } = loaded.config;
  const files = await createFileLogger({
    dir: path.join(loaded.dataDir, 'logs'),
    level: log.level,
    maxFileMb: log.maxFileMb,
    maxFiles: log.maxFiles,
  });
  const app = createApp({ loaded, logger: files.logger, mode, ...shell });
  files.logger.info({ mode, dataDir: loaded.dataDir, lockedKeys: loaded.lockedKeys }, 'app started');
  // Recordings a crash left unfinished are merged from their segments in the background.
  void app.context.media.recover().then(
    (outcomes) => outcomes.length > 0 && files.logger.info({ outcomes }, 'recordings recovered'),
    (error: unknown) => files.logger.error({ err: error }, 'recording recovery failed'),
  );
  return {
    app,
    dataDir: loaded.dataDir,
    close: async () => {
      await app.close();
      await files.close();
    },
  };
}
