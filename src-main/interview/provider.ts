// Lazily builds the InterviewService for the composition root: the local database and the AI
// services are opened on first use, so starting the app (and its other handlers) never waits for them.
import path from 'node:path';
import type { LoadedConfig } from '../config/load';
import { createAiServices } from '../evaluation/ai-services';
import type { Logger } from '../log/logger';
import { InterviewService } from './interview-service';
import { localDatabaseFile, openLocalDatabase, type LocalDatabase } from './local-db';

export interface InterviewProvider {
  get(): Promise<InterviewService>;
  close(): Promise<void>;
}

export function createInterviewProvider(loaded: LoadedConfig, logger: Logger): InterviewProvider {
  let opening: Promise<{ db: LocalDatabase; service: InterviewService }> | null = null;
  const open = async () => {
    const db = await openLocalDatabase(localDatabaseFile(loaded.dataDir));
    const service = new InterviewService({
      db: db.sqlite,
      audioDir: path.join(loaded.dataDir, 'answers'),
      ai: createAiServices({ config: loaded.config, db: db.sqlite }),
      onWarning: (message, err) => logger.warn({ err }, message),
    });
    return { db, service };
  };
  return {
    get: async () => {
      opening ??= open().catch((error: unknown) => {
        opening = null; // let the next call try again (e.g. after the disk is back)
        throw error;
      });
      return (await opening).service;
    },
    close: async () => {
      if (!opening) return;
      const { db, service } = await opening.catch(() => ({ db: null, service: null }));
      await service?.close();
      await db?.close();
    },
  };
}
