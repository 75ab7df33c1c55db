// Composition root: builds every service from the loaded configuration. The Electron shell and the
// headless host both call createApp, so the two run exactly the same code behind the contract.
import { readFileSync } from 'node:fs';
import type { LoadedConfig } from '../config/load';
import type { InterviewService } from '../interview/interview-service';
import { createInterviewProvider } from '../interview/provider';
import type { Logger } from '../log/logger';
import { createDispatcher, type Dispatcher } from '../rpc/dispatcher';
import { EventBus } from '../rpc/event-bus';
import { createHandlers } from './handlers/index';

export interface AppContext {
  loaded: LoadedConfig;
  logger: Logger;
  events: EventBus;
  mode: 'electron' | 'host';
  version: string;
  /** Interviews, documents, evaluations and token usage; opened on first use. */
  interview: () => Promise<InterviewService>;
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
  const interview = createInterviewProvider(options.loaded, options.logger);
  const context: AppContext = { ...options, events, version: appVersion(), interview: () => interview.get() };
  for (const issue of options.loaded.issues) options.logger.warn({ issue }, 'configuration problem');
  const dispatcher = createDispatcher(createHandlers(context), options.logger);
  return {
    context,
    dispatcher,
    events,
    close: async () => {
      await interview.close();
      options.logger.info('app closed');
    },
  };
}
