// What the demo reports at the end, read back from where the data landed: the local store (warnings,
// snapshots, evaluation, report) and the central store (what sync delivered), plus the readable text.
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
  pdf: string | null;
  sync: { pending: number; receipts: number };
  /** The session as the central store holds it after sync: what the proctor's console reads. */
  central: { session: CentralSessionSummary | null };
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
    `  Report:     ${summary.pdf ?? 'not generated'}`,
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
