// Shared set-up for the AI commands (evaluate, questions, usage): configuration, the local database
// in the data folder, and the AI services it implies.
import { describeIssue, loadConfig } from '../config/load';
import { createAiServices, type AiServices } from './ai-services';
import { VigilError } from '../errors';
import { localDbPath } from '../store/db-file';
import { openLocalStore, type LocalStore } from '../store/local-store';

export interface AiCommandContext {
  store: LocalStore;
  services: AiServices;
  dataDir: string;
}

export async function withAiContext<T>(
  options: { local?: boolean },
  fn: (ctx: AiCommandContext) => Promise<T>,
): Promise<T> {
  const loaded = loadConfig();
  const aiIssues = loaded.issues.filter((i) => i.key.startsWith('ai.') || i.key === 'data.dir');
  if (aiIssues.length > 0)
    throw new VigilError(
      'CONFIG_INVALID',
      `Fix the configuration first: ${aiIssues.map(describeIssue).join('; ')}`,
    );
  const store = await openLocalStore(localDbPath(loaded.dataDir));
  try {
    const services = createAiServices({ config: loaded.config, store, local: options.local });
    return await fn({ store, services, dataDir: loaded.dataDir });
  } finally {
    await store.close();
  }
}
