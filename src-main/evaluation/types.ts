// Evaluation and token-usage types shared by both evaluators, the job runner, the ledger, the PDF
// report and the consoles.
import { z } from 'zod';
import type { ExamType } from '../interview/types';

/** Proctoring facts of the session, copied into the evaluation's details as they were at the time. */
export interface ProctoringStats {
  available: boolean;
  warningCount?: number;
  warningsByType?: Record<string, number>;
  riskScore?: number | null;
  idVerification?: string | null;
  durationS?: number | null;
}

export interface ResponseInput {
  question: string;
  answer: string;
  timeLimitS: number;
  elapsedMs: number;
  timedOut: boolean;
}

/** Everything an evaluator needs; built from the local database so it works offline. */
export interface EvaluationInput {
  sessionId: string;
  examId: string | null;
  userId: string | null;
  exam: { title: string; type: ExamType; difficulty: number };
  resumeText: string | null;
  jobListingText: string | null;
  responses: ResponseInput[];
  proctoring: ProctoringStats;
}

export const QuestionResponseSchema = z.object({
  question: z.string(),
  answer: z.string(),
  score: z.number().min(0).max(10),
  feedback: z.string(),
});
export type QuestionResponse = z.infer<typeof QuestionResponseSchema>;

export type EvaluatorKind = 'openai' | 'local';

export const LOCAL_EVALUATOR_LABEL =
  'Local heuristic evaluation (no AI model): scores come from text features such as relevance, coverage, structure, clarity and length, not from understanding the answer.';

export const EvaluationResultSchema = z.object({
  evaluator: z.enum(['openai', 'local']),
  model: z.string(),
  /** Human-readable statement of what produced the scores; always present, always shown. */
  label: z.string(),
  professionalism: z.number().int().min(0).max(100),
  subject_knowledge: z.number().int().min(0).max(100),
  clarity: z.number().int().min(0).max(100),
  overall: z.number().int().min(0).max(100),
  traits: z.array(z.string()),
  suggestions: z.array(z.string()),
  feedback: z.string(),
  question_responses: z.array(QuestionResponseSchema),
  details: z.record(z.string(), z.unknown()),
});
export type EvaluationResult = z.infer<typeof EvaluationResultSchema>;

/** A stored evaluation. */
export interface Evaluation extends EvaluationResult {
  id: string;
  sessionId: string;
  createdAt: string;
}

/** Who is billed for a request, for the ledger's roll-ups. */
export interface UsageContext {
  sessionId?: string | null;
  examId?: string | null;
  userId?: string | null;
}

export interface Evaluator {
  readonly kind: EvaluatorKind;
  readonly model: string;
  evaluate(input: EvaluationInput): Promise<EvaluationResult>;
}

export type RequestType = 'evaluation' | 'question_generation' | 'transcription';
export type UsageStatus = 'ok' | 'invalid_output' | 'http_error' | 'timeout' | 'network_error';

/** One row of the token ledger: one HTTP request to a model provider. */
export interface TokenUsage {
  id: number;
  /** Random UUID: the row's id in central `token_usage` and its outbox key (null before it is queued). */
  centralId: string | null;
  createdAt: string;
  model: string;
  requestType: RequestType;
  status: UsageStatus;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  audioSeconds: number | null;
  /** Exact cost in billionths of a US dollar; null when the model has no price in the table. */
  costNanoUsd: number | null;
  sessionId: string | null;
  examId: string | null;
  userId: string | null;
  httpStatus: number | null;
  attempt: number;
}

export interface UsageRollup {
  key: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Exact sum in nano-dollars; costUsd is the same in dollars. */
  costNanoUsd: number;
  costUsd: number;
  unpricedRequests: number;
}
