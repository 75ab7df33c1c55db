// The evaluator's input, built from the local database only, so evaluation works offline. The
// evaluation itself is a job of the device's one runner (src-main/session/after-session-jobs.ts).
import { VigilError } from '../errors';
import type { InterviewRepository } from '../interview/session-repository';
import type { EvaluationInput, ProctoringStats } from './types';

/** Where proctoring statistics come from (the proctoring module's warnings); absent until merged. */
export interface ProctoringStatsSource {
  statsFor(sessionId: string): ProctoringStats;
}

export const noProctoringStats: ProctoringStatsSource = { statsFor: () => ({ available: false }) };

/** Builds the evaluator's input from the local database only, so evaluation works offline. */
export function buildEvaluationInput(
  repo: InterviewRepository,
  sessionId: string,
  proctoring: ProctoringStatsSource = noProctoringStats,
): EvaluationInput {
  const snapshot = repo.snapshot(sessionId);
  if (!snapshot)
    throw new VigilError('NOT_FOUND', `No interview was recorded on this device for session ${sessionId}.`, {
      sessionId,
    });
  const answers = new Map(repo.answers(sessionId).map((a) => [a.questionId, a]));
  const responses = repo
    .questions(sessionId)
    .filter((q) => q.askedAt !== null)
    .map((q) => {
      const a = answers.get(q.id);
      return {
        question: q.text,
        answer: a?.text ?? '',
        timeLimitS: q.timeLimitS,
        elapsedMs: a?.elapsedMs ?? 0,
        timedOut: a?.timedOut ?? false,
      };
    });
  return {
    sessionId,
    examId: snapshot.exam.id,
    userId: snapshot.userId,
    exam: { title: snapshot.exam.title, type: snapshot.exam.type, difficulty: snapshot.exam.difficulty },
    resumeText: snapshot.resumeText,
    jobListingText: snapshot.jobListingText,
    responses,
    proctoring: proctoring.statsFor(sessionId),
  };
}
