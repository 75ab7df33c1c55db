// Shared set-up for the AI commands (evaluate, questions, usage): configuration, the local database
// in the data folder, and the AI services it implies.
import { describeIssue, loadConfig } from '../config/load';
import { createAiServices, type AiServices } from './ai-services';
import { localDatabaseFile, openLocalDatabase, type LocalDatabase } from '../interview/local-db';
import { VigilError } from '../errors';

export interface AiCommandContext {
  db: LocalDatabase;
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
  const db = await openLocalDatabase(localDatabaseFile(loaded.dataDir));
  try {
    const services = createAiServices({ config: loaded.config, db: db.sqlite, local: options.local });
    return await fn({ db, services, dataDir: loaded.dataDir });
  } finally {
    await db.close();
  }
}
