// Shapes the proctor console reads and writes. They mirror the contract's zod schemas
// (src-preload/contract-console.ts) so handlers pass service results straight through.
import type { ChainAnchoring } from './chain-anchoring';
import type { RiskExplanation } from '../../src-preload/risk-explanation';
export type ReviewState = 'pending' | 'in_review' | 'decided';
export type WarningVerdict = 'confirmed' | 'dismissed';
export type SessionDecision = 'cleared' | 'flagged' | 'invalidated';

export interface QueueFilter {
  examId?: string;
  /** Sessions started at or after (ISO). */
  from?: string;
  /** Sessions started before (ISO). */
  to?: string;
  status?: 'in_progress' | 'completed' | 'abandoned' | 'terminated';
  warningType?: string;
  reviewState?: ReviewState;
  /** Part of the candidate's name or e-mail. */
  search?: string;
  limit?: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

export interface QueueRow {
  sessionId: string;
  examId: string;
  examTitle: string;
  candidateId: string;
  candidateName: string;
  candidateEmail: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  riskScore: number | null;
  /** Who computed `riskScore`: the central worker, or the device (advisory until the server scores it). */
  riskSource?: 'server' | 'device' | null;
  /** The flags behind the score: warning count per type. */
  flags: { type: string; count: number }[];
  reviewState: ReviewState;
  decision: string | null;
}

export interface QueuePage {
  rows: QueueRow[];
  nextCursor: string | null;
}

export interface WarningReview {
  reviewerId: string | null;
  reviewerName: string;
  verdict: string;
  comment: string;
  at: string;
}

export interface WarningMedia {
  /** merged: the session's video at offsetS; clip: the warning's own clip; none: no video. */
  kind: 'merged' | 'clip' | 'none';
  sha256: string | null;
  /** Where to start playing, in seconds into that video. */
  startS: number;
}

export interface ReviewWarning {
  id: string;
  type: string;
  severity: string;
  startedAt: string;
  endedAt: string | null;
  /** Seconds from the session's start. */
  offsetS: number;
  durationS: number;
  confidence: number | null;
  details: Record<string, unknown>;
  snapshotSha256: string | null;
  media: WarningMedia;
  /** The signed-in reviewer's latest verdict. */
  myVerdict: string | null;
  /** Latest verdict of each reviewer. */
  reviews: WarningReview[];
  /** agree / disagree when two or more reviewers gave a verdict. */
  agreement: 'agree' | 'disagree' | null;
}

export interface SessionReview {
  session: {
    id: string;
    status: string;
    startedAt: string;
    endedAt: string | null;
    riskScore: number | null;
    /** The score's factors; null when the session has no score. */
    risk: RiskExplanation | null;
    riskSource?: 'server' | 'device' | null;
    /** The device's own risk, advisory, when the server's is shown. */
    deviceRisk?: RiskExplanation | null;
    evidenceVerdict: string;
    /** Whether the server saw the chain's head while it was written (central 0433). */
    anchoring: ChainAnchoring;
    videoSha256: string | null;
    /** The recording's poster frame (flags_only sessions, where no full video is filed). */
    posterSha256: string | null;
  };
  exam: {
    id: string;
    title: string;
    type: string;
    difficulty: number;
    uploadMode: string;
    /** The resume and job listing the exam's questions and evaluation use. */
    resume: { fileName: string; text: string } | null;
    jobListing: { title: string; description: string } | null;
  };
  candidate: { id: string; name: string; email: string };
  idVerification: {
    status: string | null;
    details: Record<string, unknown> | null;
    imageSha256: string | null;
  };
  timeline: { seq: number; kind: string; at: string; offsetS: number }[];
  warnings: ReviewWarning[];
  answers: {
    ordinal: number;
    question: string;
    /** The device's text of the answer (its own transcript of a spoken one: advisory). */
    answer: string | null;
    /** The central worker's transcript of a spoken answer, what the server evaluated; else null. */
    serverTranscript: string | null;
    askedAt: string | null;
    answeredAt: string | null;
    /** The evaluation's score for this answer (0–10) and its feedback; null before an evaluation. */
    score: number | null;
    feedback: string | null;
  }[];
  evaluation: {
    overall: number;
    professionalism: number;
    subjectKnowledge: number;
    clarity: number;
    feedback: string;
    traits: unknown[];
    suggestions: unknown[];
    questionResponses: unknown[];
    evaluator: string;
    /** `server`: the central worker's evaluation; `device`: the one the device sent. */
    source?: 'server' | 'device';
    label?: string;
  } | null;
  decision: { decision: string; note: string; by: string; at: string } | null;
  /** Share of warnings reviewed by two or more proctors on which they agree (null: none). */
  agreementRate: number | null;
  /** Every report version filed for the session, oldest first; `uploaded` once its PDF arrived. */
  reports: ReportVersion[];
  /**
   * The report of record: the latest version the central worker made (null: none yet, the server
   * is making it). The console downloads this one from central; it renders none itself.
   */
  latestReport: ReportVersion | null;
  /** Device writes the server refused after the finish or a decision, with its reason (central 0432). */
  refusedDeviceWrites: { at: string; kind: string; reason: string }[];
}

export interface ReportVersion {
  version: number;
  reportId: string;
  reason: string;
  sha256: string;
  at: string;
  /**
   * `worker`: made centrally by the worker (after the server's evaluation and every verdict or
   * decision); `device`: the candidate's device at the session's end; `console`: a proctor's
   * laptop, before reports were made centrally.
   */
  filedBy: 'device' | 'console' | 'worker';
  /** The proctor whose console filed it. */
  by: string | null;
  /** The worker that made it (its id, as in server_evaluations.evaluated_by). */
  madeBy: string | null;
  uploaded: boolean;
}

export interface Reviewer {
  userId: string;
  name: string;
  role: string;
  pgRole: string;
}
