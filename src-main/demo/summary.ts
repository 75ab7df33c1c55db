// What the demo reports at the end, read back from where the data landed: the local store (warnings,
// snapshots, the device's PDF) and the central store (what sync delivered, the server's evaluation
// and the central report the worker made), plus the readable text.
import fs from 'node:fs';
import path from 'node:path';
import type { FinishProgress } from '../../src-preload/contract';
import type { CentralStore } from '../central/connect';
import { latestEvaluation } from '../evaluation/evaluation-store';
import type { LocalStore } from '../store/local-store';

/** The `--json` line: its shape is part of the demo's interface (see README). */
export interface DemoSummary {
  sessionId: string;
  warnings: Record<string, number>;
  snapshots: number;
  recording: { path: string; durationS: number };
  evaluation: {
    overall: number;
    professionalism: number;
    subjectKnowledge: number;
    clarity: number;
    evaluator: string;
    /** `worker`: the central worker's evaluation (the one a proctor sees); `device`: none filed yet. */
    evaluatedBy: 'worker' | 'device';
  } | null;
  /** The device's own PDF (advisory; the candidate owns the device). */
  pdf: string | null;
  /**
   * The report of record: the latest version the central worker made from central data (its
   * handlers run in-process on the demo's PGlite), read back from the central store and saved
   * to `path`. Null if none was filed.
   */
  report: CentralReportSummary | null;
  sync: { pending: number; receipts: number };
  /** The session as the central store holds it after sync: what the proctor's console reads. */
  central: { session: CentralSessionSummary | null };
}

export interface CentralReportSummary {
  source: 'central';
  madeBy: 'worker';
  /** The worker's id (report_versions.made_by). */
  workerId: string;
  version: number;
  reportId: string;
  reason: string;
  sha256: string;
  /** The PDF as downloaded from the central store. */
  path: string;
}

export interface CentralSessionSummary {
  idVerificationStatus: string | null;
  videoSha256: string | null;
  riskFactors: unknown[];
  /** The risk the server computed from the warnings it holds (the queue's order); null before it. */
  serverRiskScore: number | null;
  reportVersions: { version: number; reportId: string; filedBy: string }[];
}

/** Rows of the session the central store holds after sync. */
export interface CentralCounts {
  events: number;
  warnings: number;
  blobs: number;
  /** Local blobs the central store refused (kept on the device with the reason). */
  rejectedBlobs: number;
  /** Warnings the server raised itself (for example `unknown_app_build`). */
  serverFlags: string[];
}

export async function collectSummary(input: {
  sessionId: string;
  store: LocalStore;
  central: CentralStore;
  recording: { path: string; durationS: number };
  progress: FinishProgress;
  /** Where the central report's PDF is saved. */
  reportsDir: string;
}): Promise<{ summary: DemoSummary; central: CentralCounts }> {
  const { sessionId, store } = input;
  const warnings: Record<string, number> = {};
  const rows = store.raw
    .prepare('SELECT type, count(*) AS n FROM warnings WHERE session_id = ? GROUP BY type ORDER BY type')
    .all(sessionId) as { type: string; n: number }[];
  for (const row of rows) warnings[row.type] = row.n;
  const snapshots = (
    store.raw.prepare('SELECT count(*) AS n FROM snapshots WHERE session_id = ?').get(sessionId) as {
      n: number;
    }
  ).n;
  const pdf = store.raw
    .prepare(
      `SELECT path FROM blob_uploads WHERE session_id = ? AND kind = 'pdf' ORDER BY rowid DESC LIMIT 1`,
    )
    .get(sessionId) as { path: string } | undefined;
  const evaluation = latestEvaluation(store, sessionId);
  const count = async (table: 'events' | 'warnings' | 'blobs') =>
    Number(
      (
        await input.central.query<{ n: string | number }>(
          `SELECT count(*) AS n FROM vigil.${table} WHERE session_id = $1`,
          [sessionId],
        )
      )[0]?.n ?? 0,
    );
  const rejected = store.raw
    .prepare(`SELECT count(*) AS n FROM blob_uploads WHERE session_id = ? AND status = 'rejected'`)
    .get(sessionId) as { n: number };
  const serverFlags = await input.central.query<{ type: string }>(
    `SELECT type FROM vigil.warnings WHERE session_id = $1 AND source = 'server' ORDER BY type`,
    [sessionId],
  );
  const central = {
    events: await count('events'),
    warnings: await count('warnings'),
    blobs: await count('blobs'),
    rejectedBlobs: rejected.n,
    serverFlags: serverFlags.map((row) => row.type),
  };
  const [session] = await input.central.query<{
    id_verification_status: string | null;
    video: string | null;
    risk_factors: { factors?: unknown[] } | string | null;
  }>(
    // The server's risk factors (the demo's exam is evaluated by the server, so its device sends
    // no risk); a practice exam evaluated on the device has the device's.
    `SELECT id_verification_status, encode(video_sha256, 'hex') AS video,
            coalesce(server_risk_factors, risk_factors) AS risk_factors
     FROM vigil.sessions WHERE id = $1`,
    [sessionId],
  );
  const reports = await input.central.query<{ version: number; report_id: string; filed_by: string }>(
    `SELECT version, report_id, filed_by FROM vigil.report_versions WHERE session_id = $1 ORDER BY created_at, version`,
    [sessionId],
  );
  const [latest] = await input.central.query<{
    version: number;
    report_id: string;
    reason: string;
    made_by: string;
    sha256: string;
  }>(
    `SELECT version, report_id, reason, made_by, encode(sha256, 'hex') AS sha256 FROM vigil.report_versions
     WHERE session_id = $1 AND filed_by = 'worker' ORDER BY version DESC LIMIT 1`,
    [sessionId],
  );
  let report: CentralReportSummary | null = null;
  if (latest) {
    // The PDF's bytes as the console downloads them: the chunks of the blob the worker filed.
    const chunks = await input.central.query<{ data: Buffer | Uint8Array }>(
      `SELECT c.data FROM vigil.blob_chunks c JOIN vigil.blobs b ON b.id = c.blob_id
       WHERE b.session_id = $1 AND b.sha256 = decode($2, 'hex') AND b.status = 'complete' ORDER BY c."offset"`,
      [sessionId, latest.sha256],
    );
    const file = path.join(input.reportsDir, `${latest.report_id}.pdf`);
    fs.mkdirSync(input.reportsDir, { recursive: true });
    fs.writeFileSync(file, Buffer.concat(chunks.map((c) => Buffer.from(c.data))));
    report = {
      source: 'central',
      madeBy: 'worker',
      workerId: latest.made_by,
      version: Number(latest.version),
      reportId: latest.report_id,
      reason: latest.reason,
      sha256: latest.sha256,
      path: file,
    };
  }
  // The server's evaluation (the central worker's, made in-process for the demo's PGlite store).
  const [server] = await input.central.query<{
    overall: number;
    professionalism: number;
    subject_knowledge: number;
    clarity: number;
    evaluator: string;
    server_risk_score: number | string | null;
  }>(
    `SELECT e.overall, e.professionalism, e.subject_knowledge, e.clarity, e.evaluator, s.server_risk_score
     FROM vigil.sessions s LEFT JOIN vigil.server_evaluations e ON e.session_id = s.id WHERE s.id = $1`,
    [sessionId],
  );
  const explanation =
    typeof session?.risk_factors === 'string'
      ? (JSON.parse(session.risk_factors) as { factors?: unknown[] })
      : session?.risk_factors;
  const summary: DemoSummary = {
    sessionId,
    warnings,
    snapshots,
    recording: input.recording,
    evaluation:
      server?.evaluator != null
        ? {
            overall: Number(server.overall),
            professionalism: Number(server.professionalism),
            subjectKnowledge: Number(server.subject_knowledge),
            clarity: Number(server.clarity),
            evaluator: server.evaluator,
            evaluatedBy: 'worker',
          }
        : evaluation
          ? {
              overall: evaluation.overall,
              professionalism: evaluation.professionalism,
              subjectKnowledge: evaluation.subject_knowledge,
              clarity: evaluation.clarity,
              evaluator: evaluation.evaluator,
              evaluatedBy: 'device',
            }
          : null,
    pdf: pdf?.path ?? null,
    report,
    sync: { pending: input.progress.upload.pendingItems, receipts: input.progress.upload.receipts },
    central: {
      session: session
        ? {
            idVerificationStatus: session.id_verification_status,
            videoSha256: session.video,
            riskFactors: explanation?.factors ?? [],
            serverRiskScore:
              server?.server_risk_score === null || server?.server_risk_score === undefined
                ? null
                : Number(server.server_risk_score),
            reportVersions: reports.map((r) => ({
              version: Number(r.version),
              reportId: r.report_id,
              filedBy: r.filed_by,
            })),
          }
        : null,
    },
  };
  return { summary, central };
}

export function describeSummary(
  summary: DemoSummary,
  central: CentralCounts,
  progress: FinishProgress,
): string[] {
  const warnings = Object.entries(summary.warnings);
  const e = summary.evaluation;
  const lines = [
    '',
    `Session ${summary.sessionId}`,
    `  Warnings:   ${warnings.length ? warnings.map(([type, n]) => `${type} ×${n}`).join(', ') : 'none'}`,
    `  Snapshots:  ${summary.snapshots}`,
    `  Recording:  ${summary.recording.durationS.toFixed(1)} s, ${summary.recording.path}`,
    e
      ? `  Evaluation: overall ${e.overall}/100 (professionalism ${e.professionalism}, subject knowledge ${e.subjectKnowledge}, clarity ${e.clarity}; ${e.evaluator} evaluator, ${e.evaluatedBy === 'worker' ? 'by the central worker' : 'on the device'})`
      : '  Evaluation: not available',
    summary.report
      ? `  Report:     central v${summary.report.version} (${summary.report.reportId}, ${summary.report.reason.replace(/_/g, ' ')}) made by the central worker (${summary.report.workerId}): ${summary.report.path}`
      : '  Report:     no central report filed',
    `  Device PDF: ${summary.pdf ?? 'not generated'} (the device's own copy, advisory)`,
    `  Sync:       ${summary.sync.pending} item(s) pending, ${summary.sync.receipts} blob receipt(s)`,
  ];
  lines.push(
    `  Central:    ${central.events} events, ${central.warnings} warnings, ${central.blobs} blobs of this session`,
  );
  lines.push(
    `  Server:     ${central.serverFlags.length ? `flagged ${central.serverFlags.join(', ')}` : 'no flags of its own'}`,
  );
  if (central.rejectedBlobs > 0)
    lines.push(`  Refused:    ${central.rejectedBlobs} blob(s) refused by the central store`);
  if (progress.receipt) {
    lines.push(
      `  Receipt:    evidence chain of ${progress.receipt.events} events, head ${progress.receipt.chainHash}`,
    );
  }
  return lines;
}
