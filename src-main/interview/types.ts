// Interview content types shared by the session flow, the CLI, the PDF report and the consoles.
// Each has a zod schema so that data crossing a boundary (IPC, files, AI output) is validated once.
import { z } from 'zod';
import { ExamTypeSchema, type ExamType } from '../../src-preload/vocabulary';

// The exam as the interview runs it (CLI files, the session flow's snapshot, AI output).

export const DifficultySchema = z
  .number()
  .int('difficulty must be a whole number')
  .min(1, 'difficulty must be between 1 and 10')
  .max(10, 'difficulty must be between 1 and 10');

/** Bounds for a question's time limit: long enough to read, short enough to stay an interview. */
export const MIN_TIME_LIMIT_S = 10;
export const MAX_TIME_LIMIT_S = 3600;

export const KeyQuestionSchema = z.object({
  question: z.string().trim().min(1, 'question text is required').max(2000),
  time_limit_s: z.number().int().min(MIN_TIME_LIMIT_S).max(MAX_TIME_LIMIT_S),
});

export const ExamSchema = z.object({
  id: z.string().min(1),
  title: z.string().trim().min(1, 'title is required').max(200),
  type: ExamTypeSchema,
  difficulty: DifficultySchema,
  key_questions: z.array(KeyQuestionSchema).max(100),
  resume_id: z.string().nullable().default(null),
  job_listing_id: z.string().nullable().default(null),
  /** Proctoring policy as configured by the proctoring module; opaque here. */
  proctoring_policy: z.record(z.string(), z.unknown()).default({}),
});

export type { ExamType };

export type KeyQuestion = z.infer<typeof KeyQuestionSchema>;

export const QuestionSourceSchema = z.enum(['admin', 'ai', 'local']);
export type QuestionSource = z.infer<typeof QuestionSourceSchema>;

export type Exam = z.infer<typeof ExamSchema>;
export type ExamInput = z.input<typeof ExamSchema>;

export type DocumentKind = 'resume' | 'job_listing';
export type DocumentFormat = 'pdf' | 'docx' | 'text';

/** A resume or job listing with its extracted text. */
export interface InterviewDocument {
  id: string;
  kind: DocumentKind;
  title: string;
  format: DocumentFormat;
  fileName: string | null;
  byteSize: number;
  sha256: string;
  text: string;
  createdAt: string;
}

/** One question as asked in a session. */
export interface Question {
  id: string;
  sessionId: string;
  seq: number;
  text: string;
  timeLimitS: number;
  source: QuestionSource;
  askedAt: string | null;
  closedAt: string | null;
  /** interrupted: the app stopped (crash, power loss) while the question was open; its draft is kept. */
  closeReason: 'answered' | 'time_limit' | 'ended' | 'interrupted' | null;
}

export type TranscriptionStatus = 'none' | 'pending' | 'done' | 'failed' | 'not_configured';

/** The candidate's answer to one question (typed, spoken, or both). */
export interface Answer {
  questionId: string;
  sessionId: string;
  text: string;
  audioPath: string | null;
  audioMime: string | null;
  transcript: string | null;
  transcriptionStatus: TranscriptionStatus;
  /** Time spent on the question, from the monotonic clock. */
  elapsedMs: number;
  timedOut: boolean;
  final: boolean;
  updatedAt: string;
}

export type MessageRole = 'system' | 'assistant' | 'user';

/** The conversation as ordered messages, like the seed's chat. */
export interface Message {
  sessionId: string;
  seq: number;
  role: MessageRole;
  content: string;
  questionId: string | null;
  createdAt: string;
}
