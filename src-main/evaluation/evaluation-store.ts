// Stored evaluations: written synchronously so the job runner can save the result and mark its job
// done in one transaction. Each row is queued for central in the same transaction (content-outbox.ts).
import { randomUUID } from 'node:crypto';
import { contentOutbox } from '../interview/content-outbox';
import type { Tx } from '../store/local-store';
import type { EvaluationsTable } from '../store/schema';
import type { Evaluation, EvaluationResult } from './types';

/** An evaluation as stored in the local database (JSON columns as text). */
export type EvaluationRow = EvaluationsTable;

export function insertEvaluation(
  tx: Tx,
  sessionId: string,
  result: EvaluationResult,
  createdAt: string,
): Evaluation {
  const row: EvaluationRow = {
    id: randomUUID(),
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
    created_at: createdAt,
  };
  const db = tx.raw;
  // A savepoint when the caller already holds a transaction: the row and its outbox item together.
  db.transaction(() => {
    db.prepare(
      `insert into evaluations (id, session_id, evaluator, model, label, professionalism, subject_knowledge, clarity,
         overall, traits, suggestions, feedback, question_responses, details, created_at)
       values (@id, @session_id, @evaluator, @model, @label, @professionalism, @subject_knowledge, @clarity,
         @overall, @traits, @suggestions, @feedback, @question_responses, @details, @created_at)`,
    ).run(row);
    contentOutbox(tx).queueEvaluation(row.id);
  })();
  return { ...result, id: row.id, sessionId, createdAt };
}

export function latestEvaluation(tx: Tx, sessionId: string): Evaluation | null {
  const r = tx.raw
    .prepare('select * from evaluations where session_id = ? order by created_at desc, rowid desc limit 1')
    .get(sessionId) as EvaluationRow | undefined;
  if (!r) return null;
  return {
    id: r.id,
    sessionId: r.session_id,
    createdAt: r.created_at,
    evaluator: r.evaluator,
    model: r.model,
    label: r.label,
    professionalism: r.professionalism,
    subject_knowledge: r.subject_knowledge,
    clarity: r.clarity,
    overall: r.overall,
    traits: JSON.parse(r.traits) as string[],
    suggestions: JSON.parse(r.suggestions) as string[],
    feedback: r.feedback,
    question_responses: JSON.parse(r.question_responses) as Evaluation['question_responses'],
    details: JSON.parse(r.details) as Record<string, unknown>,
  };
}
