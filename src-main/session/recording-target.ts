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

/**
 * A recording id the renderer names in a chunk or a stop: accepted only when it is a recording main
 * opened for the session it runs now. Any other recording of this device (another session's, one
 * the candidate wrote into the database) is refused before the media service touches it, so a
 * renderer cannot add chunks to, or stop and merge, a recording main did not start for this session.
 */
export function checkCurrentSessionRecording(tx: Tx, recordingId: string): RecordingTarget {
  const target = currentRecordingTarget(tx);
  const row = tx.raw.prepare(`SELECT session_id FROM media_recordings WHERE id = ?`).get(recordingId) as
    { session_id: string } | undefined;
  if (row?.session_id !== target.sessionId)
    throw new VigilError(
      'CONFLICT',
      'This recording is not the one Vigil opened for the exam in progress, so nothing was stored. Reload the exam screen: recording starts again for this session.',
      { reason: 'not_current_recording', recordingId, sessionId: target.sessionId },
    );
  return target;
}
