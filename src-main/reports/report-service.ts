// Generates and files a session's report: at the end of a session (after the evaluation job) and
// again whenever a proctor records decisions. Each run is a new version with its own report id;
// earlier versions stay in the archive and are listed in the new PDF. `onArchived` is where the
// store hooks in to keep the PDF as a blob and queue it for sync.
import { randomBytes } from 'node:crypto';
import { renderReport, type RenderedReport } from './render-report';
import type { ArchivedReport, ReportArchive } from './report-archive';
import type { ReportSource } from './report-source';
import type { ReportPageSize } from './types';

/**
 * Why a version was made: at a session's end (device), after the server's evaluation or a
 * proctor's verdict or decision (central worker), or on request.
 */
export type ReportReason = 'session_end' | 'evaluation' | 'review' | 'decision' | 'manual';

/**
 * Where versions are kept: the device's folder (ReportArchive) or central PostgreSQL, whose
 * worker numbers and files versions itself (make-report.ts).
 */
export type ReportVersionStore = Pick<ReportArchive, 'list' | 'nextVersion' | 'add' | 'read'>;

export interface ReportServiceDeps {
  source: ReportSource;
  archive: ReportVersionStore;
  /** Read at each generation so a changed `report.pageSize` applies to the next report. */
  pageSize: () => ReportPageSize;
  now?: () => Date;
  onArchived?: (sessionId: string, archived: ArchivedReport, pdf: Buffer) => Promise<void>;
}

export interface GeneratedReport {
  archived: ArchivedReport;
  pdf: Buffer;
  rendered: RenderedReport;
}

export function newReportId(sessionId: string, version: number): string {
  const prefix = sessionId
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 8)
    .toUpperCase();
  return `VR-${prefix}-v${version}-${randomBytes(3).toString('hex').toUpperCase()}`;
}

export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  async generate(sessionId: string, reason: ReportReason): Promise<GeneratedReport> {
    const { data, assetsDir } = await this.deps.source.load(sessionId);
    const earlier = await this.deps.archive.list(sessionId);
    const version = await this.deps.archive.nextVersion(sessionId);
    const reportId = newReportId(sessionId, version);
    const createdAt = (this.deps.now?.() ?? new Date()).toISOString();
    const rendered = await renderReport(
      {
        ...data,
        reportId,
        version,
        generatedAt: createdAt,
        previousVersions: earlier.map(({ version: v, reportId: id, createdAt: at, reason: why }) => ({
          version: v,
          reportId: id,
          createdAt: at,
          reason: why,
        })),
      },
      { pageSize: this.deps.pageSize(), ...(assetsDir ? { assetsDir } : {}) },
    );
    const archived = await this.deps.archive.add(sessionId, rendered.pdf, {
      version,
      reportId,
      createdAt,
      reason,
    });
    await this.deps.onArchived?.(sessionId, archived, rendered.pdf);
    return { archived, pdf: rendered.pdf, rendered };
  }

  /** The filed report as it was sent, or a first version when none exists yet. */
  async latestOrGenerate(sessionId: string): Promise<{ archived: ArchivedReport; pdf: Buffer }> {
    const latest = (await this.deps.archive.list(sessionId)).at(-1);
    if (latest) return { archived: latest, pdf: await this.deps.archive.read(sessionId, latest.version) };
    return this.generate(sessionId, 'manual');
  }

  list(sessionId: string): Promise<ArchivedReport[]> {
    return this.deps.archive.list(sessionId);
  }
}
