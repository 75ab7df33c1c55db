// The interview flow's state as the candidate's screen sees it (contract type InterviewState).
import type { InterviewState } from '../../src-preload/contract';
import type { SessionState } from '../interview/session-flow';
import type { CachedExam } from '../store/exam-cache';
import { answerModeOf } from './exam-options';

export function toInterviewState(sessionId: string, exam: CachedExam, state: SessionState): InterviewState {
  return {
    sessionId,
    examTitle: exam.title,
    // During a break there is no current question, yet the interview goes on.
    done: state.status === 'ended' || (state.current === null && !state.breaks?.active),
    question: state.current
      ? {
          id: state.current.id,
          index: state.current.index,
          total: state.total,
          text: state.current.text,
          timeLimitS: state.current.timeLimitS,
          remainingMs: state.current.remainingMs,
          draft: state.current.draft,
          answerMode: answerModeOf(exam.policy, state.current.index),
          baseTimeLimitS: state.current.baseTimeLimitS,
        }
      : null,
    accommodation: state.accommodation,
    breaks: state.breaks,
  };
}
