// The report's own input model. The store, proctoring and evaluation are built in parallel, so the
// report depends only on this schema; whoever owns a session's rows maps them into it (see
// ReportSource). Validated with zod so a bad mapping fails with the field's path, not a broken PDF.
import { z } from 'zod';
import { RiskExplanationSchema } from '../../src-preload/risk-explanation';
import { ExamTypeSchema, SeveritySchema } from '../../src-preload/vocabulary';

const score100 = z.number().min(0).max(100);
const isoTime = z.iso.datetime({ offset: true });

// The exam types, their short names and the severities are the shared vocabulary's.
export { examTypes, examTypeShortNames as examTypeLabels } from '../../src-preload/vocabulary';

export const ReportCandidateSchema = z.object({
  name: z.string().min(1),
  email: z.string().optional(),
  id: z.string().optional(),
});

export const ReportExamSchema = z.object({
  title: z.string().min(1),
  type: ExamTypeSchema,
  difficulty: z.number().int().min(1).max(10),
});

export const ReportSessionSchema = z.object({
  id: z.string().min(1),
  startedAt: isoTime,
  /** Null when the session never ended cleanly (crash, abandoned). */
  endedAt: isoTime.nullable(),
  durationSeconds: z.number().min(0),
});

export const ReportScoresSchema = z.object({
  overall: score100,
  professionalism: score100,
  subjectKnowledge: score100,
  clarity: score100,
});

/** The session's risk score with its factors: the shared explanation, checked on parse. */
export const ReportRiskSchema = RiskExplanationSchema;

export const ReportDecisionSchema = z.object({
  outcome: z.enum(['accepted', 'rejected', 'needs_follow_up', 'invalidated']),
  reviewer: z.string().min(1),
  decidedAt: isoTime,
  comment: z.string().optional(),
});

export const idStatuses = ['verified', 'needs_review', 'rejected', 'not_performed'] as const;

export const ReportIdVerificationSchema = z.object({
  status: z.enum(idStatuses),
  /** Path of the captured ID card image; relative paths resolve against the render's assetsDir. */
  cardImagePath: z.string().nullable(),
  extractedFields: z.array(z.object({ label: z.string().min(1), value: z.string() })),
  /** Similarity of the ID photo's face to the live face, 0–1; null when no face was compared. */
  faceMatchScore: z.number().min(0).max(1).nullable(),
  reasons: z.array(z.string()),
});

export const ReportQuestionSchema = z.object({
  question: z.string().min(1),
  /** Null or empty when the candidate gave no answer. */
  answer: z.string().nullable(),
  score: z.number().min(0).max(10).nullable(),
  feedback: z.string().nullable(),
});

export const warningVerdicts = ['confirmed', 'dismissed', 'pending'] as const;

export const ReportWarningSchema = z.object({
  type: z.string().min(1),
  severity: SeveritySchema.default('medium'),
  startedAt: isoTime,
  durationSeconds: z.number().min(0),
  /** Detector confidence, 0–1. */
  confidence: z.number().min(0).max(1),
  /** Reviewer's verdict on this warning; pending until a proctor records one. */
  verdict: z.enum(warningVerdicts).default('pending'),
  comment: z.string().optional(),
  snapshotPath: z.string().nullable(),
});

export const ReportEvidenceSchema = z.object({
  verdict: z.enum(['intact', 'broken', 'unverified']),
  finalHash: z.string().nullable(),
  eventCount: z.number().int().min(0).optional(),
  detail: z.string().optional(),
});

export const ReportEvaluatorSchema = z.object({
  /** 'local' is the key-free evaluator, labelled as such in the report. */
  kind: z.enum(['openai', 'local']),
  name: z.string().min(1),
  model: z.string().min(1),
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
  costUsd: z.number().min(0),
});

export const ReportVersionRefSchema = z.object({
  version: z.number().int().min(1),
  reportId: z.string().min(1),
  createdAt: isoTime,
  reason: z.string(),
});

export const ReportInputSchema = z.object({
  reportId: z.string().min(1),
  /** 1 for the report made at the end of a session, +1 for each regeneration. */
  version: z.number().int().min(1).default(1),
  generatedAt: isoTime,
  candidate: ReportCandidateSchema,
  exam: ReportExamSchema,
  session: ReportSessionSchema,
  /** Null when the evaluation has not run or failed, and always when the server evaluates. */
  scores: ReportScoresSchema.nullable(),
  /**
   * Who scores this exam (its policy's `evaluation`): the server's report on the device has no
   * scores and no risk, and says so; only a practice exam is scored on the device.
   */
  evaluatedBy: z.enum(['device', 'server']).default('device'),
  /** Null when the session was never scored (it did not finish on the device). */
  risk: ReportRiskSchema.nullable(),
  decision: ReportDecisionSchema.nullable().default(null),
  idVerification: ReportIdVerificationSchema.nullable(),
  questions: z.array(ReportQuestionSchema),
  traits: z.array(z.string()).default([]),
  suggestions: z.array(z.string()).default([]),
  warnings: z.array(ReportWarningSchema),
  evidence: ReportEvidenceSchema,
  evaluator: ReportEvaluatorSchema.nullable(),
  /** Earlier versions of this report, listed on the last page. */
  previousVersions: z.array(ReportVersionRefSchema).default([]),
});

/** What a mapper produces (defaults may be omitted). */
export type ReportInputDraft = z.input<typeof ReportInputSchema>;
/** What the renderer reads (defaults applied). */
export type ReportInput = z.output<typeof ReportInputSchema>;
export type ReportWarning = ReportInput['warnings'][number];
export type ReportQuestion = ReportInput['questions'][number];
export type ReportVersionRef = z.output<typeof ReportVersionRefSchema>;
export type ReportPageSize = 'A4' | 'Letter';

/** What a report without scores says instead (the cover, the scores page and the data notes). */
export function missingScoresNotice(input: Pick<ReportInput, 'evaluatedBy'>): string {
  return input.evaluatedBy === 'server'
    ? 'Evaluated by the server: the central server scores this exam and its risk after the upload; this device does not.'
    : 'No evaluation scores: the evaluation has not run or did not complete for this session.';
}
