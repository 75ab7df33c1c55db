// Contract calls of the interview and evaluation domain (issue 6), kept in their own file and
// spread into `calls` in contract.ts. Pure: zod only. The exam schemas live here so the renderer,
// the preload and main validate exams with the same rules.
import { z } from 'zod';
import { ExamTypeSchema } from './vocabulary';

// The exam types are the shared vocabulary's; re-exported for the interview domain's imports.
export { examTypes, ExamTypeSchema } from './vocabulary';

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

export const SessionStateSchema = z.object({
  sessionId: z.string(),
  status: z.enum(['in_progress', 'ended']),
  total: z.number().int(),
  answered: z.number().int(),
  current: z
    .object({
      id: z.string(),
      index: z.number().int(),
      text: z.string(),
      timeLimitS: z.number().int(),
      /** From main's monotonic clock at the time of the reply. */
      remainingMs: z.number().int(),
      draft: z.string(),
    })
    .nullable(),
});

const SessionRef = z.object({ sessionId: z.string().min(1).max(128) }).strict();
const AnswerText = z.string().max(20_000);
const DocumentKindSchema = z.enum(['resume', 'job_listing']);

export const DocumentSummarySchema = z.object({
  id: z.string(),
  kind: DocumentKindSchema,
  title: z.string(),
  format: z.enum(['pdf', 'docx', 'text']),
  fileName: z.string().nullable(),
  byteSize: z.number().int(),
  characters: z.number().int(),
  createdAt: z.string(),
});

export const EvaluationViewSchema = z.object({
  job: z
    .object({
      status: z.enum(['queued', 'running', 'done', 'failed']),
      attempts: z.number().int(),
      nextAttemptAt: z.string(),
      lastError: z.string().nullable(),
    })
    .nullable(),
  evaluation: z
    .object({
      id: z.string(),
      createdAt: z.string(),
      evaluator: z.enum(['openai', 'local']),
      model: z.string(),
      label: z.string(),
      professionalism: z.number(),
      subject_knowledge: z.number(),
      clarity: z.number(),
      overall: z.number(),
      traits: z.array(z.string()),
      suggestions: z.array(z.string()),
      feedback: z.string(),
      question_responses: z.array(
        z.object({ question: z.string(), answer: z.string(), score: z.number(), feedback: z.string() }),
      ),
      details: z.record(z.string(), z.unknown()),
    })
    .nullable(),
});

export const UsageRollupSchema = z.object({
  key: z.string(),
  requests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
  costNanoUsd: z.number().int(),
  costUsd: z.number(),
  unpricedRequests: z.number().int(),
});

/** Base64 of 15 MB of document or 25 MB of audio, plus the JSON around it. */
const DOCUMENT_REQUEST_BYTES = 21 * 1024 * 1024;
const AUDIO_REQUEST_BYTES = 35 * 1024 * 1024;

export const interviewCalls = {
  startInterview: {
    description:
      'Starts the interview of a session: the exam’s questions, plus generateCount generated ones; asks the first question.',
    request: z
      .object({
        sessionId: z.string().min(1).max(128),
        exam: ExamSchema,
        userId: z.string().max(128).nullable().optional(),
        generateCount: z.number().int().min(0).max(20).optional(),
      })
      .strict(),
    response: SessionStateSchema,
  },
  getInterviewState: {
    description: 'The current question and its remaining time (main’s monotonic clock).',
    request: SessionRef,
    response: SessionStateSchema,
  },
  saveAnswerDraft: {
    description: 'Keeps the answer typed so far; it is what is saved if the time runs out.',
    request: z.object({ sessionId: z.string(), questionId: z.string(), text: AnswerText }).strict(),
    response: SessionStateSchema,
  },
  submitAnswer: {
    description: 'Final typed answer to the current question; the next question is asked.',
    request: z.object({ sessionId: z.string(), questionId: z.string(), text: AnswerText }).strict(),
    response: SessionStateSchema,
  },
  submitSpokenAnswer: {
    description:
      'Audio of a spoken answer (base64); stored, then transcribed when transcription is configured.',
    request: z
      .object({
        sessionId: z.string(),
        questionId: z.string(),
        mimeType: z.string().regex(/^audio\/[a-z0-9.+-]+(;.*)?$/i),
        audioBase64: z.string().min(1),
      })
      .strict(),
    response: SessionStateSchema,
    maxRequestBytes: AUDIO_REQUEST_BYTES,
  },
  endInterview: {
    description: 'Ends the interview now; its evaluation is queued and never delays this.',
    request: SessionRef,
    response: SessionStateSchema,
  },
  uploadDocument: {
    description: 'Uploads a resume or job listing (PDF, DOCX or text, base64) and extracts its text.',
    request: z
      .object({
        kind: DocumentKindSchema,
        title: z.string().max(200),
        fileName: z.string().min(1).max(255),
        dataBase64: z.string(),
      })
      .strict(),
    response: DocumentSummarySchema,
    maxRequestBytes: DOCUMENT_REQUEST_BYTES,
  },
  createJobListingFromText: {
    description: 'Creates a job listing from pasted text.',
    request: z.object({ title: z.string().max(200), text: z.string().max(200_000) }).strict(),
    response: DocumentSummarySchema,
  },
  generateQuestions: {
    description: 'Generates questions for a type and difficulty (AI with a key, local without).',
    request: z
      .object({
        type: ExamTypeSchema,
        difficulty: DifficultySchema,
        count: z.number().int().min(1).max(20).optional(),
        resumeId: z.string().optional(),
        jobListingId: z.string().optional(),
      })
      .strict(),
    response: z.object({ generator: z.enum(['ai', 'local']), questions: z.array(KeyQuestionSchema) }),
  },
  getEvaluation: {
    description: 'The evaluation of a session, or the state of its queued evaluation job.',
    request: SessionRef,
    response: EvaluationViewSchema,
  },
  getTokenUsage: {
    description: 'AI token usage and cost: cumulative, per exam or per month.',
    request: z.object({ by: z.enum(['cumulative', 'exam', 'month']).default('cumulative') }).strict(),
    response: z.array(UsageRollupSchema),
  },
} as const;

// ---- The candidate's interview screen (issue 8): spoken answers, extra time and breaks --------

/** Largest spoken answer accepted in one call (about 70 minutes of Opus at 32 kbit/s). */
export const MAX_SPOKEN_ANSWER_BYTES = 16 * 1024 * 1024;
/** Over the host transport bytes travel base64-encoded (4/3), plus the JSON around them. */
export const SPOKEN_ANSWER_REQUEST_BYTES = 24 * 1024 * 1024;

/** Extra fields of the candidate's current question. */
export const candidateQuestionExtras = {
  /** spoken: the screen records the answer's audio (the answer box stays for notes). */
  answerMode: z.enum(['text', 'spoken']),
  /** The exam's limit before extra time (timeLimitS includes it). */
  baseTimeLimitS: z.number().int(),
};

/** Extra fields of the candidate's interview state. */
export const candidateInterviewExtras = {
  accommodation: z.object({ name: z.string(), extraTimePercent: z.number().int() }),
  breaks: z
    .object({
      allowed: z.number().int(),
      used: z.number().int(),
      maxMs: z.number().int(),
      /** A break running now: no question timer runs; the next question comes when it ends. */
      active: z.object({ remainingMs: z.number().int(), nextIndex: z.number().int() }).nullable(),
    })
    .nullable(),
};
