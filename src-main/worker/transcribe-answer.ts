// The transcription job: every spoken answer of a session whose audio is complete on the server and
// has no server transcript yet is transcribed by the worker (its own key and transcription model)
// from the audio the server holds, and filed in server_transcripts (migration 0450). The device's
// transcript (questions.answer_text) stays what it sent, advisory. Idempotent: the primary key
// (answer, audio) keeps the first transcript filed, so a job run twice files nothing twice.
//
// An answer that cannot be transcribed (no transcription model on this worker, audio the provider
// refuses) is filed as `failed` with the reason, so its session's evaluation does not wait for it;
// an outage of the provider or a refused key is thrown, and pg-boss retries the job.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { CentralDatabase } from '../central/schema';
import { VigilError } from '../errors';
import type { Transcriber } from '../interview/session-flow';
import type { CentralUsageRecorder } from './central-usage';

export interface TranscriptionOutcome {
  transcribed: number;
  failed: number;
}

/** File name extension the provider's format detection expects for a recorder's MIME type. */
function extensionFor(mimeType: string): string {
  const base = mimeType.split(';')[0]!.trim().toLowerCase();
  const known: Record<string, string> = {
    'audio/webm': 'webm',
    'audio/ogg': 'ogg',
    'audio/mp4': 'm4a',
    'audio/mpeg': 'mp3',
    'audio/wav': 'wav',
    'audio/x-wav': 'wav',
    'video/webm': 'webm',
  };
  return known[base] ?? 'webm';
}

/**
 * The reason a provider's refusal of this audio is final: the job files the answer as failed. A
 * refused key (401/403) is the worker's configuration, not the answer's: thrown, so the job is
 * retried once the operator fixes it, and no answer is marked untranscribable for it.
 */
function finalRefusal(error: unknown): string | null {
  if (!(error instanceof VigilError) || error.details?.retryable !== false) return null;
  const status = error.details.httpStatus;
  if (status === 401 || status === 403) return null;
  return error.message;
}

export async function transcribeCentralAnswers(deps: {
  db: Kysely<CentralDatabase>;
  /** The worker's transcriber; null when it has no transcription model. */
  transcriber: Transcriber | null;
  model: string | null;
  usage: CentralUsageRecorder;
  sessionId: string;
  workerId: string;
  jobId: string | null;
}): Promise<TranscriptionOutcome> {
  const { db, sessionId } = deps;
  const { rows: due } = await sql<{
    question_id: string;
    audio_sha256: Buffer;
    blob_id: string;
    content_type: string;
    exam_id: string;
    candidate_id: string | null;
  }>`
    SELECT DISTINCT ON (q.id) q.id AS question_id, q.answer_audio_sha256 AS audio_sha256,
      b.id AS blob_id, b.content_type, s.exam_id, s.candidate_id
    FROM vigil.questions q
    JOIN vigil.sessions s ON s.id = q.session_id
    JOIN vigil.blobs b ON b.session_id = q.session_id AND b.kind = 'audio'
      AND b.sha256 = q.answer_audio_sha256 AND b.status = 'complete'
    WHERE q.session_id = ${sessionId}
      AND NOT EXISTS (SELECT 1 FROM vigil.server_transcripts t
                      WHERE t.question_id = q.id AND t.audio_sha256 = q.answer_audio_sha256)
    ORDER BY q.id, b.completed_at`.execute(db);

  const outcome: TranscriptionOutcome = { transcribed: 0, failed: 0 };
  for (const answer of due) {
    let filed: { status: 'done'; text: string } | { status: 'failed'; reason: string };
    if (!deps.transcriber) {
      filed = {
        status: 'failed',
        reason: 'The worker has no transcription model: set ai.transcriptionModel in its configuration.',
      };
    } else {
      const { rows } = await sql<{ audio: Buffer | null }>`
        SELECT string_agg(data, ''::bytea ORDER BY "offset") AS audio
        FROM vigil.blob_chunks WHERE blob_id = ${answer.blob_id}`.execute(db);
      try {
        const text = await deps.transcriber.transcribe({
          audio: rows[0]?.audio ?? Buffer.alloc(0),
          fileName: `answer-${answer.question_id}.${extensionFor(answer.content_type)}`,
          mimeType: answer.content_type,
          context: { sessionId, examId: answer.exam_id, userId: answer.candidate_id },
        });
        filed = { status: 'done', text };
      } catch (error) {
        const reason = finalRefusal(error);
        if (reason === null) {
          // The rows of the attempts made so far are written before the job is retried.
          await deps.usage.settle();
          throw error;
        }
        filed = { status: 'failed', reason };
      }
    }
    // Usage rows first: a filed transcript always has its token_usage rows.
    await deps.usage.settle();
    const inserted = await db
      .insertInto('vigil.server_transcripts')
      .values({
        question_id: answer.question_id,
        audio_sha256: answer.audio_sha256,
        session_id: sessionId,
        status: filed.status,
        text: filed.status === 'done' ? filed.text : null,
        reason: filed.status === 'failed' ? filed.reason : null,
        model: deps.transcriber ? deps.model : null,
        transcribed_by: deps.workerId,
        job_id: deps.jobId,
      })
      .onConflict((oc) => oc.columns(['question_id', 'audio_sha256']).doNothing())
      .returning('question_id')
      .executeTakeFirst();
    if (inserted) outcome[filed.status === 'done' ? 'transcribed' : 'failed'] += 1;
  }
  return outcome;
}
