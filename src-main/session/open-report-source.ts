// `vigil report --session ID` on a device: the report's data from this machine's local store.
import type { LoadedConfig } from '../config/load';
import { createAiServices } from '../evaluation/ai-services';
import type { ReportSource } from '../reports/report-source';
import { openLocalStore } from '../store/local-store';
import { localReportSource } from './local-report-source';
import { localStoreFile } from './runtime';

export async function openLocalReportSource(loaded: LoadedConfig): Promise<ReportSource> {
  const store = await openLocalStore(localStoreFile(loaded.dataDir));
  const ai = createAiServices({ config: loaded.config, db: store.raw, local: true });
  return localReportSource({ store, ledger: ai.ledger, candidateName: () => 'Candidate' });
}
