// Interview content types shared by the session flow, the CLI, the PDF report and the consoles.
// Each has a zod schema so that data crossing a boundary (IPC, files, AI output) is validated once.
import { z } from 'zod';
import {
  DifficultySchema,
  ExamSchema,
  ExamTypeSchema,
  KeyQuestionSchema,
  MAX_TIME_LIMIT_S,
  MIN_TIME_LIMIT_S,
  examTypes,
} from '../../src-preload/contract-interview';

// The exam schemas are part of the IPC contract (renderer and main validate alike); re-exported here.
export {
  DifficultySchema,
  ExamSchema,
  ExamTypeSchema,
  KeyQuestionSchema,
  MAX_TIME_LIMIT_S,
  MIN_TIME_LIMIT_S,
  examTypes,
};

/** General, Industry skills, Personality and culture fit, Final screening. */
export type ExamType = z.infer<typeof ExamTypeSchema>;

export const examTypeLabels: Record<ExamType, string> = {
  GEN: 'General',
  SKL: 'Industry skills',
  PER: 'Personality and culture fit',
  FIN: 'Final screening',
};

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
