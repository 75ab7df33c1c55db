// Composition root: builds every service from the loaded configuration. The Electron shell and the
// headless host both call createApp, so the two run exactly the same code behind the contract.
import { readFileSync } from 'node:fs';
import type { LoadedConfig } from '../config/load';
import type { Logger } from '../log/logger';
import { createMediaRuntime, type MediaRuntime } from '../media/runtime';
import { ConsoleSession } from '../review/console-session';
import { createDispatcher, type Dispatcher } from '../rpc/dispatcher';
import { EventBus } from '../rpc/event-bus';
import { createHandlers } from './handlers/index';

export interface AppContext {
  loaded: LoadedConfig;
  logger: Logger;
  events: EventBus;
  mode: 'electron' | 'host';
  version: string;
  media: MediaRuntime;
  /** The proctor/admin console's own PostgreSQL login (issue 9). */
  console: ConsoleSession;
}

export interface VigilApp {
  context: AppContext;
  dispatcher: Dispatcher;
  events: EventBus;
  close(): Promise<void>;
}

export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function createApp(options: {
  loaded: LoadedConfig;
  logger: Logger;
  mode: 'electron' | 'host';
}): VigilApp {
  const events = new EventBus();
  const media = createMediaRuntime({
    dataDir: options.loaded.dataDir,
    config: options.loaded.config.media,
    logger: options.logger,
    emit: (event, payload) => events.emit(event, payload),
  });
  const consoleSession = new ConsoleSession({
    central: () => options.loaded.config.central,
    reportsDir: ConsoleSession.reportsDirFor(options.loaded.dataDir),
    pageSize: () => options.loaded.config.report.pageSize,
    onReportError: (sessionId, error) =>
      options.logger.error({ err: error, sessionId }, 'report regeneration failed'),
  });
  const context: AppContext = { ...options, events, version: appVersion(), media, console: consoleSession };
  for (const issue of options.loaded.issues) options.logger.warn({ issue }, 'configuration problem');
  const dispatcher = createDispatcher(createHandlers(context), options.logger);
  return {
    context,
    dispatcher,
    events,
    close: async () => {
      await media.close();
      await consoleSession.signOut();
      options.logger.info('app closed');
    },
  };
}
