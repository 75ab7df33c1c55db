// The evaluation job: one server evaluation per session, made by the evaluator the worker holds
// (the OpenAI-compatible one with the worker's own key, or the local one) from what the server
// holds. The primary key of server_evaluations is the exactly-once guarantee: a job that finds one
// filed does nothing, and of two workers racing on one session (a job taken over after its
// expiry while the first was still alive) only the first insert is kept.
//
// A session with a spoken answer the server has no transcript of yet waits: the job files nothing,
// and the transcript that completes the session's set requests the evaluation again (migration
// 0450's trigger), so the evaluation reads the server's transcripts, never only the device's.
import { sql, type Kysely } from 'kysely';
import type { CentralDatabase } from '../central/schema';
import type { Evaluator } from '../evaluation/types';
import { centralEvaluationInput } from './central-evaluation-input';
import type { CentralUsageRecorder } from './central-usage';

export type EvaluationOutcome = 'filed' | 'already_evaluated' | 'lost_race' | 'waiting_for_transcripts';

export async function evaluateCentralSession(deps: {
  db: Kysely<CentralDatabase>;
  evaluator: Evaluator;
  usage: CentralUsageRecorder;
  sessionId: string;
  workerId: string;
  jobId: string | null;
}): Promise<EvaluationOutcome> {
  const { db, sessionId } = deps;
  const filed = await db
    .selectFrom('vigil.server_evaluations')
    .select('session_id')
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  if (filed) return 'already_evaluated';
  const { rows } = await sql<{ untranscribed: number }>`
    SELECT count(*)::int AS untranscribed FROM vigil.questions q
    WHERE q.session_id = ${sessionId} AND q.asked_at IS NOT NULL AND q.answer_audio_sha256 IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM vigil.server_transcripts t
                      WHERE t.question_id = q.id AND t.audio_sha256 = q.answer_audio_sha256)`.execute(db);
  if ((rows[0]?.untranscribed ?? 0) > 0) return 'waiting_for_transcripts';
  const input = await centralEvaluationInput(db, sessionId);
  const result = await deps.evaluator.evaluate(input);
  // Usage rows first: a filed evaluation always has its token_usage rows.
  await deps.usage.settle();
  const inserted = await db
    .insertInto('vigil.server_evaluations')
    .values({
      session_id: sessionId,
      evaluator: result.evaluator,
      model: result.model,
      label: result.label,
      professionalism: result.professionalism,
      subject_knowledge: result.subject_knowledge,
      clarity: result.clarity,
      overall: result.overall,
      traits: JSON.stringify(result.traits),
      suggestions: JSON.stringify(result.suggestions),
      feedback: result.feedback,
      question_responses: JSON.stringify(result.question_responses),
      details: JSON.stringify(result.details),
      evaluated_by: deps.workerId,
      job_id: deps.jobId,
    })
    .onConflict((oc) => oc.column('session_id').doNothing())
    .returning('session_id')
    .executeTakeFirst();
  return inserted ? 'filed' : 'lost_race';
}
