// The candidate interview's spoken answers and breaks, as the device records them: a spoken
// answer's audio becomes an upload linked to its answer and an event in the evidence chain, and a
// break's start and end are events in the chain, so the server and reviewers see both.
import { createHash, randomUUID } from 'node:crypto';
import { VigilError } from '../errors';
import { contentOutbox } from '../interview/content-outbox';
import type { BreakEvent, InterviewSessionFlow, SessionState } from '../interview/session-flow';
import { registerBlob } from '../store/blob-uploads';
import { appendEvent } from '../store/event-chain';
import type { LocalStore } from '../store/local-store';
import { enqueueTranscription } from './after-session-jobs';

export interface SpokenAnswerInput {
  questionId: string;
  mimeType: string;
  audio: Uint8Array;
  /** Recorded milliseconds measured by the renderer (start to stop, re-takes excluded). */
  durationMs: number;
  /** Notes typed beside the spoken answer. */
  text: string;
  thenBreak?: boolean;
}

/**
 * One transaction on the one store: the typed notes, the answer row with its audio link, the
 * closed question, the candidate's message, the audio's blob upload, the chain event and every
 * outbox row and its transcription job commit together or not at all (tests/fault/interview/spoken-answer-kill9.test.ts). The
 * audio file itself is written and fsync'd first, inside the flow; a crash before the commit leaves
 * only that file, which the re-recorded answer overwrites.
 */
export function storeSpokenAnswer(
  store: LocalStore,
  flow: InterviewSessionFlow,
  sessionId: string,
  input: SpokenAnswerInput,
): SessionState {
  const index = flow.indexOf(input.questionId);
  const bytes = Buffer.from(input.audio.buffer, input.audio.byteOffset, input.audio.byteLength);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const blobId = randomUUID();
  // The flow's repository runs on the same store: its transactions are savepoints inside this one.
  return store.write('spoken answer', (tx) => {
    // The typed notes go first (within the grace period too), then the audio closes the question.
    flow.saveDraft(input.questionId, input.text);
    const state = flow.recordSpokenAnswer(
      input.questionId,
      { bytes, mimeType: input.mimeType },
      { thenBreak: input.thenBreak },
    );
    const answer = flow.answer(input.questionId);
    if (!answer?.audioPath) {
      throw new VigilError('INTERNAL', 'The spoken answer was not stored; record it again.', {
        questionId: input.questionId,
      });
    }
    registerBlob(tx, {
      id: blobId,
      sessionId,
      kind: 'audio',
      path: answer.audioPath,
      sha256,
      size: bytes.length,
      contentType: input.mimeType,
      deleteAfterUpload: false,
    });
    // Central links the answer to its audio: a new version of the question, with the blob's hash.
    contentOutbox(tx).queueQuestion(input.questionId);
    appendEvent(tx, {
      sessionId,
      kind: 'spoken_answer',
      data: {
        questionId: input.questionId,
        questionIndex: index,
        blobId,
        sha256,
        bytes: bytes.length,
        mimeType: input.mimeType,
        durationMs: Math.round(input.durationMs),
        timedOut: answer.timedOut,
        transcription: answer.transcriptionStatus,
      },
    });
    // The transcript is work of the job runner, committed with the answer it is for.
    if (answer.transcriptionStatus === 'pending') enqueueTranscription(tx, sessionId, input.questionId);
    return state;
  });
}

export function recordBreak(store: LocalStore, sessionId: string, event: BreakEvent): void {
  store.write(event.kind === 'started' ? 'break started' : 'break ended', (tx) =>
    appendEvent(tx, {
      sessionId,
      kind: event.kind === 'started' ? 'break_started' : 'break_ended',
      data:
        event.kind === 'started'
          ? { afterQuestion: event.afterQuestion, maxMs: event.maxMs, number: event.number }
          : { afterQuestion: event.afterQuestion, durationMs: event.durationMs, reason: event.reason },
    }),
  );
}
