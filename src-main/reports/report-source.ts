// Where a session's report data comes from. The store (built separately) implements this by
// mapping its rows into the report's own input model; the report code never reads the store.
import type { ReportInputDraft } from './types';

/** The session's facts; the report service adds its id, version, date and earlier versions. */
export type ReportSourceData = Omit<
  ReportInputDraft,
  'reportId' | 'version' | 'generatedAt' | 'previousVersions'
>;

export interface ReportSourceResult {
  data: ReportSourceData;
  /** Folder that relative image paths in `data` resolve against. */
  assetsDir?: string;
}

export interface ReportSource {
  /** Throws VigilError NOT_FOUND when there is no such session. */
  load(sessionId: string): Promise<ReportSourceResult>;
}
