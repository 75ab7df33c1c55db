// What a recording is filed under. The renderer only asks main to record; the session the recording
// belongs to and its upload mode come from main's own state (the candidate's unfinished session and
// its cached exam), so a renderer cannot file its recording under another session, nor turn a
// flags-only exam's recording into a full upload, nor the other way round.
import { VigilError } from '../errors';
import { cachedExam, type CachedExam } from '../store/exam-cache';
import type { Tx } from '../store/local-store';
import { unfinishedProgress } from './candidate-progress';

export interface RecordingTarget {
  sessionId: string;
  exam: CachedExam;
  uploadMode: CachedExam['uploadMode'];
}

/** The session being recorded now, or a typed error saying there is none to record. */
export function currentRecordingTarget(tx: Tx): RecordingTarget {
  const progress = unfinishedProgress(tx);
  const open = progress
    ? (tx.raw
        .prepare(`SELECT 1 AS open FROM sessions WHERE id = ? AND status = 'in_progress'`)
        .get(progress.sessionId) as { open: 1 } | undefined)
    : undefined;
  if (!progress || !open)
    throw new VigilError(
      'CONFLICT',
      'There is no exam session in progress to record. Start (or resume) the exam from the start screen; recording begins with it.',
    );
  const exam = cachedExam(tx, progress.examId);
  if (!exam)
    throw new VigilError(
      'NOT_FOUND',
      'This session’s exam is not on this device any more, so its recording cannot be filed. Enroll for the exam again with your code, then start it.',
      { sessionId: progress.sessionId, examId: progress.examId },
    );
  return { sessionId: progress.sessionId, exam, uploadMode: exam.uploadMode };
}
