// What the candidate's start screen shows: enrolment, every exam this device is enrolled for (each
// cached, so it runs offline) with where the candidate stands with it, the session to go back to,
// and whether the institution's server was reachable.
import type { CallResponse, CandidateExam } from '../../src-preload/contract';
import { isExpired, loadEnrollments, type SavedEnrollment } from '../store/enrollments';
import { cachedExamInfo, type CachedExamInfo } from '../store/exam-cache';
import type { LocalStore } from '../store/local-store';
import { enrolledCandidateName } from '../sync/enroll';
import { unfinishedProgress } from './candidate-progress';

export type Overview = CallResponse<'candidateOverview'>;

export interface Reachability {
  value: boolean;
  checkedAt: string;
}

/** Why an exam cannot start on this app version (the exam list shows it before consent), or null. */
export type VersionBlockOf = (exam: CachedExamInfo) => CandidateExam['versionBlock'];

export function candidateOverview(
  store: LocalStore,
  reachable: Reachability,
  versionBlock: VersionBlockOf,
): Overview {
  const enrollments = loadEnrollments(store);
  const exams = enrolledExams(store, enrollments, versionBlock);
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
    enrolled: enrollments.length > 0,
    candidateName: enrollments.length > 0 ? enrolledCandidateName(store) : null,
    exams,
    activeSession: active,
    central: { reachable: reachable.value, checkedAt: reachable.checkedAt },
  };
}

/** Each enrolled exam (in the order enrolled) with its state on this device. */
function enrolledExams(
  store: LocalStore,
  enrollments: SavedEnrollment[],
  versionBlock: VersionBlockOf,
): CandidateExam[] {
  const sessions = store.raw.prepare(
    `SELECT sum(status = 'in_progress') AS open, sum(status <> 'in_progress') AS closed
     FROM sessions WHERE exam_id = ?`,
  );
  const now = new Date();
  return enrollments.flatMap((enrollment) => {
    const exam = cachedExamInfo(store, enrollment.examId);
    if (!exam) return [];
    const counts = sessions.get(exam.id) as { open: number | null; closed: number | null };
    const state: CandidateExam['state'] = isExpired(enrollment, now)
      ? 'expired'
      : (counts.open ?? 0) > 0
        ? 'in_progress'
        : (counts.closed ?? 0) > 0
          ? 'finished'
          : 'ready';
    return [
      {
        ...describeExam(exam),
        state,
        enrollmentExpiresAt: enrollment.expiresAt,
        versionBlock: state === 'ready' ? versionBlock(exam) : null,
      },
    ];
  });
}

/** An exam as the candidate sees it before starting: length, upload mode, retention, accommodations. */
function describeExam(
  exam: CachedExamInfo,
): Omit<CandidateExam, 'state' | 'enrollmentExpiresAt' | 'versionBlock'> {
  return {
    id: exam.id,
    title: exam.title,
    type: exam.type,
    difficulty: exam.difficulty,
    questionCount: exam.questionCount,
    totalTimeS: exam.totalTimeS,
    uploadMode: exam.uploadMode,
    retentionDays: exam.retentionDays,
    // The questions are here (sealed); offline, the start needs the proctor's start code.
    offlineReady: exam.questionCount > 0 && exam.offlineStart,
    offlineStart: exam.offlineStart,
    opensAt: exam.opensAt,
    accommodations: exam.accommodations,
  };
}
