// The report job: the session's report of record, made centrally from central rows only (the
// server's evaluation and risk, the proctors' verdicts and decision) after the server's evaluation
// and after every verdict or decision (central migration 0440 raises the requests), and filed as
// the next central version in PostgreSQL, PDF included. No proctor's laptop renders it.
//
// Exactly once per state: the whole job is one transaction that first takes the session's report
// lock (vigil.lock_central_report), then reads the facts. vigil.next_central_report answers NULL
// when a version with this input (the sha256 of the report's facts, its `basis`) is filed already,
// so a job run twice, or two workers taking the same session, file one version; otherwise it names
// the next version, which the PDF prints.
import { createHash } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import type { SqlQuery } from '../central/connect';
import type { CentralDatabase } from '../central/schema';
import type { ArchivedReport } from '../reports/report-archive';
import { ReportService, type ReportReason, type ReportVersionStore } from '../reports/report-service';
import type { ReportSourceData } from '../reports/report-source';
import type { ReportPageSize } from '../reports/types';
import { VigilError } from '../errors';
import { centralReportSource } from '../review/central-report-source';
import { fileServerRisk } from './server-risk';

export type ReportOutcome =
  | { outcome: 'filed'; version: number; reportId: string; sha256: string; reason: ReportReason }
  /** The latest central version already shows these facts. */
  | { outcome: 'unchanged' };

/** Keys sorted at every level, so equal facts hash equally whatever order the rows came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Why this version is made, from what it shows (requests of one session merge into one job). */
function reasonOf(data: ReportSourceData): ReportReason {
  if (data.decision) return 'decision';
  if (data.warnings.some((w) => w.verdict !== 'pending')) return 'review';
  return 'evaluation';
}

export async function makeCentralReport(deps: {
  db: Kysely<CentralDatabase>;
  sessionId: string;
  /** Shown with the version in the console (report_versions.made_by). */
  workerId: string;
  jobId: string | null;
  pageSize?: ReportPageSize;
}): Promise<ReportOutcome> {
  const { db, sessionId } = deps;
  // The risk the report shows is the server's, as of now: score it first (idempotent, cheap), so a
  // report job that overtakes the session's risk job does not print the device's.
  await fileServerRisk(db, sessionId);
  return db.transaction().execute(async (trx) => {
    const query: SqlQuery = async <R>(text: string, params: unknown[] = []) =>
      (await trx.executeQuery<R>(CompiledQuery.raw(text, params))).rows;
    // The lock first, then the facts: of two jobs, the one that files later read the later facts.
    await query(`SELECT vigil.lock_central_report($1)`, [sessionId]);
    const { data } = await centralReportSource(query).load(sessionId);
    const basis = createHash('sha256').update(canonical(data)).digest();
    const [next] = await query<{ version: number | null }>(
      `SELECT vigil.next_central_report($1, $2) AS version`,
      [sessionId, basis],
    );
    const version = next?.version ?? null;
    if (version === null) return { outcome: 'unchanged' as const };
    const reason = reasonOf(data);
    let filed: { sha256: string } | null = null;
    const versions: ReportVersionStore = {
      list: async () =>
        (
          await query<{ version: number; report_id: string; reason: string; created_at: Date; sha: string }>(
            `SELECT version, report_id, reason, created_at, encode(sha256, 'hex') AS sha
             FROM vigil.report_versions WHERE session_id = $1 AND filed_by = 'worker' ORDER BY version`,
            [sessionId],
          )
        ).map((r): ArchivedReport => ({
          version: Number(r.version),
          reportId: r.report_id,
          createdAt: new Date(r.created_at).toISOString(),
          reason: r.reason,
          file: '',
          bytes: 0,
          sha256: r.sha,
        })),
      nextVersion: () => Promise.resolve(version),
      add: async (_session, pdf, meta) => {
        const [row] = await query<{ result: { sha256: string } }>(
          `SELECT vigil.file_central_report($1, $2, $3, $4, $5, $6, $7, $8) AS result`,
          [sessionId, meta.reportId, meta.version, meta.reason, basis, deps.workerId, deps.jobId, pdf],
        );
        filed = row!.result;
        return { ...meta, file: '', bytes: pdf.length, sha256: filed.sha256 };
      },
      read: () => {
        throw new VigilError('UNAVAILABLE', 'The central worker files reports; it does not read them back.');
      },
    };
    const service = new ReportService({
      source: { load: () => Promise.resolve({ data }) },
      archive: versions,
      pageSize: () => deps.pageSize ?? 'A4',
    });
    const made = await service.generate(sessionId, reason);
    return {
      outcome: 'filed' as const,
      version: made.archived.version,
      reportId: made.archived.reportId,
      sha256: made.archived.sha256,
      reason,
    };
  });
}
