// `vigil report --session ID` on a device: the report's data from this machine's local store.
import fs from 'node:fs';
import { VigilError } from '../errors';
import type { LoadedConfig } from '../config/load';
import { createAiServices } from '../evaluation/ai-services';
import type { ReportSource } from '../reports/report-source';
import { openLocalStore } from '../store/local-store';
import { localReportSource } from './local-report-source';
import { localStoreFile } from './runtime';

export async function openLocalReportSource(loaded: LoadedConfig): Promise<ReportSource> {
  const file = localStoreFile(loaded.dataDir);
  if (!fs.existsSync(file)) {
    throw new VigilError(
      'NOT_FOUND',
      `No session was recorded on this device (no ${file}). Run this on the device that ran the session, or use --input FILE.json.`,
      { file },
    );
  }
  const store = await openLocalStore(file);
  const ai = createAiServices({ config: loaded.config, store, local: true });
  return localReportSource({ store, ledger: ai.ledger, candidateName: () => 'Candidate' });
}
