// Transcribes one stored spoken answer: the work of a `transcription` job (registered in
// src-main/session/after-session-jobs.ts, enqueued with the answer's row in interview-extras.ts).
// It reads everything from the store and the audio file (fsync'd before the row committed), so a
// retry or a run after a restart works on what is there.
import fs from 'node:fs';
import path from 'node:path';
import { VigilError } from '../errors';
import type { InterviewRepository } from './session-repository';
import type { Transcriber } from './session-flow';

/** Transcribes the answer unless it is already done (idempotent by answer); throws to be retried. */
export async function transcribeAnswer(
  deps: { repo: InterviewRepository; transcriber: Transcriber },
  sessionId: string,
  questionId: string,
): Promise<{ transcribed: boolean }> {
  const { repo } = deps;
  const answer = repo.answer(questionId);
  if (!answer?.audioPath || !answer.audioMime)
    throw new VigilError('NOT_FOUND', `No spoken answer is stored for question ${questionId}.`, {
      questionId,
    });
  if (answer.transcriptionStatus === 'done') return { transcribed: true };
  let audio: Buffer;
  try {
    audio = fs.readFileSync(answer.audioPath);
  } catch (error) {
    throw new VigilError(
      'MEDIA_INVALID',
      `The spoken answer's audio cannot be read: ${(error as Error).message}`,
      {
        questionId,
      },
    );
  }
  const snapshot = repo.snapshot(sessionId);
  const text = await deps.transcriber.transcribe({
    audio,
    fileName: path.basename(answer.audioPath),
    mimeType: answer.audioMime,
    context: { sessionId, examId: snapshot?.exam.id ?? null, userId: snapshot?.userId ?? null },
  });
  repo.transaction(() => {
    repo.setTranscript(questionId, 'done', text, new Date().toISOString());
    const after = repo.answer(questionId);
    if (after) repo.updateAnswerMessage(sessionId, questionId, after.text || '(spoken answer)');
  });
  return { transcribed: true };
}

/** The answer keeps its audio without a transcript (the evaluation reads "(spoken answer)"). */
export function markTranscriptionFailed(repo: InterviewRepository, questionId: string): void {
  repo.setTranscript(questionId, 'failed', null, new Date().toISOString());
}
