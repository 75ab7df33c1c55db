// Contract handlers for the candidate's flow; the work is in src-main/session/.
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';
import { examReadiness } from '../readiness';
import { VigilError } from '../../errors';

type CandidateCalls =
  | 'candidateOverview'
  | 'candidateEnroll'
  | 'candidateConsent'
  | 'candidateSystemCheck'
  | 'candidateVerifyId'
  | 'candidateBeginInterview'
  | 'candidateInterviewState'
  | 'candidateSaveDraft'
  | 'candidateSubmitAnswer'
  | 'candidateSubmitSpokenAnswer'
  | 'candidateEndBreak'
  | 'candidateFrame'
  | 'candidateAudio'
  | 'candidateFocus'
  | 'candidateFinish'
  | 'candidateFinishProgress'
  | 'candidateUpdateStatus'
  | 'candidateRestartToUpdate';

export function candidateHandlers(ctx: AppContext): HandlerGroup<CandidateCalls> {
  const service = () => ctx.candidate.service();
  return {
    candidateOverview: async () => (await service()).overview(),
    candidateEnroll: async (r) => (await service()).enroll(r.code),
    candidateConsent: async (r) => {
      // A broken configuration blocks exams: refuse before anything is recorded.
      const readiness = examReadiness(ctx);
      if (!readiness.ready) {
        throw new VigilError(
          'CONFIG_INVALID',
          'Vigil cannot start an exam until its configuration is fixed.',
          {
            blockers: readiness.blockers.map((b) => b.message),
          },
        );
      }
      return (await service()).consent(r.examId, r.startCode);
    },
    candidateSystemCheck: async (r) => (await service()).systemCheck(r),
    candidateVerifyId: async (r) => (await service()).verifyId(r.sessionId, r.card, r.live),
    candidateBeginInterview: async (r) => (await service()).beginInterview(r.sessionId),
    candidateInterviewState: async (r) => (await service()).interviewState(r.sessionId),
    candidateSaveDraft: async (r) => (await service()).saveDraft(r.sessionId, r.questionId, r.text),
    candidateSubmitAnswer: async (r) =>
      (await service()).submitAnswer(r.sessionId, r.questionId, r.text, r.thenBreak),
    candidateSubmitSpokenAnswer: async ({ sessionId, ...answer }) =>
      (await service()).submitSpokenAnswer(sessionId, answer),
    candidateEndBreak: async (r) => (await service()).endBreak(r.sessionId),
    candidateFrame: async (r) => (await service()).frame(r),
    candidateAudio: async (r) => (await service()).audio(r.sessionId, r.frames),
    candidateFocus: async (r) => (await service()).focus(r.sessionId, r.focused),
    candidateFinish: async (r) => (await service()).finish(r.sessionId, r.recordingError),
    candidateFinishProgress: async (r) => (await service()).finishProgress(r.sessionId),
    candidateUpdateStatus: async (r) => ctx.updates.refresh({ checkNow: r.checkNow === true }),
    candidateRestartToUpdate: async () => {
      await ctx.updates.restartToUpdate(); // CONFLICT during an exam or before a download
      return { restarting: true as const };
    },
  };
}
