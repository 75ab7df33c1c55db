// The evaluator's input read from PostgreSQL: the same EvaluationInput the device builds from its
// SQLite (evaluation/evaluation-input.ts), here from what the server holds (the exam, its resume and
// job listing, the questions asked with their final answers, the warnings). The evaluators cannot
// tell the two apart, so the server runs the very same evaluation code as the device.
import type { Kysely } from 'kysely';
import type { CentralDatabase } from '../central/schema';
import type { EvaluationInput } from '../evaluation/types';
import { VigilError } from '../errors';

export async function centralEvaluationInput(
  db: Kysely<CentralDatabase>,
  sessionId: string,
): Promise<EvaluationInput> {
  const session = await db
    .selectFrom('vigil.sessions as s')
    .innerJoin('vigil.exams as e', 'e.id', 's.exam_id')
    .leftJoin('vigil.resumes as r', 'r.id', 'e.resume_id')
    .leftJoin('vigil.job_listings as j', 'j.id', 'e.job_listing_id')
    .select([
      's.id',
      's.exam_id',
      's.candidate_id',
      's.started_at',
      's.ended_at',
      's.id_verification_status',
      's.server_risk_score',
      'e.title',
      'e.type',
      'e.difficulty',
      'r.content_text as resume_text',
      'j.title as job_title',
      'j.description as job_description',
    ])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
  if (!session)
    throw new VigilError('NOT_FOUND', `The central server holds no session ${sessionId}.`, { sessionId });
  // A spoken answer's text is the worker's transcript of the audio the server holds (0450); the
  // device's (answer_text) counts only when the worker could not transcribe it.
  const questions = await db
    .selectFrom('vigil.questions as q')
    .leftJoin('vigil.server_transcripts as t', (join) =>
      join.onRef('t.question_id', '=', 'q.id').onRef('t.audio_sha256', '=', 'q.answer_audio_sha256'),
    )
    .select(['q.text', 'q.time_limit_s', 'q.asked_at', 'q.answered_at', 'q.answer_text'])
    .select(['t.status as transcript_status', 't.text as transcript'])
    .where('q.session_id', '=', sessionId)
    .where('q.asked_at', 'is not', null)
    .orderBy('q.ordinal')
    .execute();
  const warnings = await db
    .selectFrom('vigil.warnings')
    .select(['type'])
    .where('session_id', '=', sessionId)
    .execute();
  const byType: Record<string, number> = {};
  for (const w of warnings) byType[w.type] = (byType[w.type] ?? 0) + 1;
  const endedAt = session.ended_at ? new Date(session.ended_at).getTime() : null;
  return {
    sessionId,
    examId: session.exam_id,
    userId: session.candidate_id,
    exam: { title: session.title, type: session.type, difficulty: session.difficulty },
    resumeText: session.resume_text ?? null,
    jobListingText:
      session.job_title === null ? null : `${session.job_title}\n\n${session.job_description ?? ''}`.trim(),
    responses: questions.map((q) => {
      const limit = q.time_limit_s ?? 0;
      const elapsedMs =
        q.asked_at && q.answered_at
          ? Math.max(0, new Date(q.answered_at).getTime() - new Date(q.asked_at).getTime())
          : 0;
      return {
        question: q.text,
        answer: (q.transcript_status === 'done' ? q.transcript : q.answer_text) ?? '',
        timeLimitS: limit,
        elapsedMs,
        // The server knows the answer's times, not the device's timer: past the limit means timed out.
        timedOut: limit > 0 && elapsedMs >= limit * 1000,
      };
    }),
    proctoring: {
      available: true,
      warningCount: warnings.length,
      warningsByType: byType,
      riskScore: session.server_risk_score === null ? null : Number(session.server_risk_score),
      idVerification: session.id_verification_status,
      durationS:
        endedAt === null ? null : Math.round((endedAt - new Date(session.started_at).getTime()) / 1000),
    },
  };
}
