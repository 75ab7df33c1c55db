// Composition root: builds every service from the loaded configuration. The Electron shell and the
// headless host both call createApp, so the two run exactly the same code behind the contract.
import { appVersion } from '../config/app-version';
import type { LoadedConfig } from '../config/load';
import type { ChooseDiagnosticsFile } from '../doctor/diagnostics-archive';
import type { Logger } from '../log/logger';
import { createMediaRuntime, type MediaRuntime } from '../media/runtime';
import { createCandidateRuntime, type CandidateRuntime } from '../session/runtime';
import type { SecretCipher } from '../store/device-credentials';
import { localDbPath } from '../store/db-file';
import { lazyLocalStore } from '../store/lazy-store';
import { ConsoleSession } from '../review/console-session';
import { createDispatcher, type Dispatcher } from '../rpc/dispatcher';
import { EventBus } from '../rpc/event-bus';
import { createHandlers } from './handlers/index';
import { unfinishedProgress } from '../session/candidate-progress';
import { UpdateController } from '../update/update-controller';
import type { UpdateSettings, UpdaterPort } from '../update/updater';

export interface AppContext {
  loaded: LoadedConfig;
  logger: Logger;
  events: EventBus;
  mode: 'electron' | 'host';
  version: string;
  media: MediaRuntime;
  candidate: CandidateRuntime;
  /** The proctor/admin console's own PostgreSQL login (issue 9). */
  console: ConsoleSession;
  /** The app update's state machine (checks, downloads and restarts kept out of exams). */
  updates: UpdateController;
  /** The desktop app's save dialog for "Save diagnostics"; none: the data folder's diagnostics/. */
  chooseDiagnosticsFile?: ChooseDiagnosticsFile;
}

export interface VigilApp {
  context: AppContext;
  dispatcher: Dispatcher;
  events: EventBus;
  close(): Promise<void>;
}

export function createApp(options: {
  loaded: LoadedConfig;
  logger: Logger;
  mode: 'electron' | 'host';
  /** The shell's OS-keychain cipher for the device token; host mode has none (0600 file). */
  secretCipher?: SecretCipher;
  /** The shell's updater (electron-updater); without one, updates are off (the browser host). */
  updater?: (settings: UpdateSettings) => UpdaterPort | { disabled: string };
  chooseDiagnosticsFile?: ChooseDiagnosticsFile;
}): VigilApp {
  const events = new EventBus();
  // The one local store of the data folder, shared by the media ledger and the candidate session.
  const localStore = lazyLocalStore(localDbPath(options.loaded.dataDir), {
    onError: (job, error) =>
      options.logger.warn(
        { job: job && { id: job.id, kind: job.kind, sessionId: job.sessionId }, err: error },
        'job attempt failed',
      ),
  });
  const media = createMediaRuntime({
    dataDir: options.loaded.dataDir,
    store: localStore.get,
    jobs: localStore.jobs,
    config: options.loaded.config.media,
    logger: options.logger,
    emit: (event, payload) => events.emit(event, payload),
  });
  const updates = new UpdateController({
    port: options.updater
      ? options.updater(options.loaded.config.update)
      : { disabled: 'This host is not updated automatically: install the new version yourself.' },
    currentVersion: appVersion(),
    // An exam is in progress from consent to finish (a stranded one is finished at start).
    examInProgress: async () => unfinishedProgress(await localStore.get()) !== undefined,
    checkIntervalHours: options.loaded.config.update.checkIntervalHours,
    onChange: (status) => {
      options.logger.info({ update: status }, 'update state');
      events.emit('updateStatus', status);
    },
    onError: (error) => options.logger.warn({ err: error }, 'update failed'),
  });
  const candidate = createCandidateRuntime({
    loaded: options.loaded,
    logger: options.logger,
    ...(options.secretCipher ? { secretCipher: options.secretCipher } : {}),
    media,
    store: localStore.get,
    jobs: localStore.jobs,
    emit: (event, payload) => events.emit(event, payload),
    updateStatus: () => updates.status(),
  });
  const consoleSession = new ConsoleSession({
    central: () => options.loaded.config.central,
    reportsDir: ConsoleSession.reportsDirFor(options.loaded.dataDir),
    onReportError: (sessionId, error) =>
      options.logger.error({ err: error, sessionId }, 'looking for the central report failed'),
    onReportFiled: (sessionId) => events.emit('reviewReportFiled', { sessionId }),
  });
  const context: AppContext = {
    ...options,
    events,
    version: appVersion(),
    media,
    candidate,
    console: consoleSession,
    updates,
  };
  for (const issue of options.loaded.issues) options.logger.warn({ issue }, 'configuration problem');
  const dispatcher = createDispatcher(createHandlers(context), options.logger);
  updates.start();
  return {
    context,
    dispatcher,
    events,
    close: async () => {
      updates.stop();
      // Jobs first: a running merge or evaluation is stopped (and re-queued) before its service goes.
      await localStore.stopJobs();
      await candidate.close();
      await media.close();
      await localStore.close();
      await consoleSession.signOut();
      options.logger.info('app closed');
    },
  };
}
