// What the candidate's start screen shows: enrolment, the exams cached on this device (so they run
// offline), the session to go back to, and whether the institution's server was reachable.
import type { CallResponse, CandidateExam } from '../../src-preload/contract';
import { cachedExam, type CachedExam } from '../store/exam-cache';
import { loadDevice } from '../store/device';
import type { LocalStore } from '../store/local-store';
import { enrolledCandidateName } from '../sync/enroll';
import { unfinishedProgress } from './candidate-progress';

export type Overview = CallResponse<'candidateOverview'>;

export interface Reachability {
  value: boolean;
  checkedAt: string;
}

export function candidateOverview(store: LocalStore, reachable: Reachability): Overview {
  const device = loadDevice(store);
  const exams = device ? cachedExams(store).map(describeExam) : [];
  const unfinished = unfinishedProgress(store);
  // A finished session whose report is not made yet (its evaluation or report job still queued or
  // running) still shows its finish screen.
  const finishing = store.raw
    .prepare(
      `SELECT p.session_id, p.exam_id FROM candidate_progress p WHERE p.stage = 'finish'
       AND EXISTS (SELECT 1 FROM jobs j WHERE j.session_id = p.session_id AND j.kind IN ('evaluation', 'report')
                   AND j.status IN ('queued', 'running'))
       AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.session_id = p.session_id AND j.kind = 'report'
                       AND j.status = 'done')
       ORDER BY p.consented_at DESC LIMIT 1`,
    )
    .get() as { session_id: string; exam_id: string } | undefined;
  const active = unfinished
    ? { sessionId: unfinished.sessionId, examId: unfinished.examId, stage: unfinished.stage }
    : finishing
      ? { sessionId: finishing.session_id, examId: finishing.exam_id, stage: 'finish' as const }
      : null;
  return {
    enrolled: !!device,
    candidateName: device ? enrolledCandidateName(store) : null,
    exams,
    activeSession: active,
    central: { reachable: reachable.value, checkedAt: reachable.checkedAt },
  };
}

function cachedExams(store: LocalStore): CachedExam[] {
  const rows = store.raw.prepare('SELECT id FROM cached_exams ORDER BY fetched_at').all() as { id: string }[];
  return rows.map((r) => cachedExam(store, r.id)).filter((e): e is CachedExam => !!e);
}

/** An exam as the candidate sees it before starting: length, upload mode, retention, accommodations. */
export function describeExam(exam: CachedExam): CandidateExam {
  const accommodations = Array.isArray(exam.policy.accommodations)
    ? (exam.policy.accommodations as string[])
    : [];
  return {
    id: exam.id,
    title: exam.title,
    type: exam.type,
    difficulty: exam.difficulty,
    questionCount: exam.keyQuestions.length,
    totalTimeS: exam.keyQuestions.reduce((sum, q) => sum + q.time_limit_s, 0),
    uploadMode: exam.uploadMode,
    retentionDays: exam.retentionDays,
    offlineReady: exam.keyQuestions.length > 0,
    accommodations,
  };
}
