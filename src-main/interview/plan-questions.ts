// The questions of an interview: the admin's key questions first, then, when the exam asks for
// them, generated ones: the central worker's list for the exam when the server handed one over
// (fetch_exam's generatedQuestions: the device needs no AI key), else the device's own generator
// (AI with a key, the local generator without). When the AI provider is unreachable at the start of
// an exam the local generator fills in, so exams run offline.
import { LocalQuestionGenerator, type QuestionGenerator } from './question-generator';
import type { PlannedQuestion } from './session-flow';
import type { Exam, KeyQuestion } from './types';

export async function planQuestions(
  exam: Exam,
  generator: QuestionGenerator,
  options: {
    generateCount?: number;
    resumeText?: string | null;
    jobListingText?: string | null;
    /** Context of the generation request (token usage is billed to it). */
    sessionId?: string;
    /** The worker's generated questions for this exam, as fetch_exam returned them. */
    serverQuestions?: { source: 'ai' | 'local'; questions: KeyQuestion[] } | null;
    onFallback?: (e: unknown) => void;
  },
): Promise<PlannedQuestion[]> {
  const planned: PlannedQuestion[] = exam.key_questions.map((q) => ({
    text: q.question,
    timeLimitS: q.time_limit_s,
    source: 'admin',
  }));
  const count = options.generateCount ?? 0;
  const server = options.serverQuestions?.questions ?? [];
  if (count > 0 && server.length > 0) {
    const source = options.serverQuestions?.source ?? 'ai';
    for (const q of server.slice(0, count))
      planned.push({ text: q.question, timeLimitS: q.time_limit_s, source });
  } else if (count > 0) {
    const request = {
      type: exam.type,
      difficulty: exam.difficulty,
      count,
      resumeText: options.resumeText ?? null,
      jobListingText: options.jobListingText ?? null,
      context: { examId: exam.id, ...(options.sessionId ? { sessionId: options.sessionId } : {}) },
    };
    let generated;
    let source: PlannedQuestion['source'] = generator.kind === 'ai' ? 'ai' : 'local';
    try {
      generated = await generator.generate(request);
    } catch (error) {
      if (generator.kind !== 'ai') throw error;
      options.onFallback?.(error);
      generated = await new LocalQuestionGenerator().generate(request);
      source = 'local';
    }
    for (const q of generated) planned.push({ text: q.question, timeLimitS: q.time_limit_s, source });
  }
  return planned;
}

/** Most generated questions one interview asks for (the contract's former bound). */
export const MAX_GENERATED_QUESTIONS = 20;

/**
 * How many questions an exam asks to have generated at its start: `generatedQuestions` in its policy
 * (a whole number, at most MAX_GENERATED_QUESTIONS); none when absent or malformed.
 */
export function generatedQuestionCount(policy: Record<string, unknown>): number {
  const value = policy.generatedQuestions;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) return 0;
  return Math.min(value, MAX_GENERATED_QUESTIONS);
}
