// Shapes the proctor console reads and writes. They mirror the contract's zod schemas
// (src-preload/contract-console.ts) so handlers pass service results straight through.
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
    evidenceVerdict: string;
    videoSha256: string | null;
  };
  exam: { id: string; title: string; type: string; difficulty: number; uploadMode: string };
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
    answer: string | null;
    askedAt: string | null;
    answeredAt: string | null;
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
  } | null;
  decision: { decision: string; note: string; by: string; at: string } | null;
  /** Share of warnings reviewed by two or more proctors on which they agree (null: none). */
  agreementRate: number | null;
}

export interface Reviewer {
  userId: string;
  name: string;
  role: string;
  pgRole: string;
}
