// Reads and writes a candidate session's place in the flow (table candidate_progress, migration 0300).
// The work after a session is in the job queue (0302 carried what upgrading devices still had in the
// old finish_state column; 0303 dropped it).
import type { CandidateStage } from '../../src-preload/contract';
import type { Tx } from '../store/local-store';

export type FlowStage = Exclude<CandidateStage, 'consent'>;

export interface Progress {
  sessionId: string;
  examId: string;
  stage: FlowStage;
  consentedAt: string;
  analysisFps: number;
  recordingId: string | null;
  idDecision: string | null;
  referenceEmbedding: number[] | null;
}

interface Row {
  session_id: string;
  exam_id: string;
  stage: FlowStage;
  consented_at: string;
  analysis_fps: number;
  recording_id: string | null;
  id_decision: string | null;
  reference_embedding: string | null;
}

const toProgress = (row: Row): Progress => ({
  sessionId: row.session_id,
  examId: row.exam_id,
  stage: row.stage,
  consentedAt: row.consented_at,
  analysisFps: row.analysis_fps,
  recordingId: row.recording_id,
  idDecision: row.id_decision,
  referenceEmbedding: row.reference_embedding ? (JSON.parse(row.reference_embedding) as number[]) : null,
});

export function createProgress(
  tx: Tx,
  input: { sessionId: string; examId: string; consentedAt: string },
): void {
  tx.raw
    .prepare(
      `INSERT INTO candidate_progress (session_id, exam_id, stage, consented_at, updated_at)
       VALUES (?, ?, 'system_check', ?, ?)`,
    )
    .run(input.sessionId, input.examId, input.consentedAt, input.consentedAt);
}

export function getProgress(tx: Tx, sessionId: string): Progress | undefined {
  const row = tx.raw.prepare('SELECT * FROM candidate_progress WHERE session_id = ?').get(sessionId) as
    Row | undefined;
  return row ? toProgress(row) : undefined;
}

/** The most recent session that has not reached the finish screen, if any. */
export function unfinishedProgress(tx: Tx): Progress | undefined {
  const row = tx.raw
    .prepare(`SELECT * FROM candidate_progress WHERE stage != 'finish' ORDER BY consented_at DESC LIMIT 1`)
    .get() as Row | undefined;
  return row ? toProgress(row) : undefined;
}

export function updateProgress(
  tx: Tx,
  sessionId: string,
  patch: Partial<
    Pick<Progress, 'stage' | 'analysisFps' | 'recordingId' | 'idDecision' | 'referenceEmbedding'>
  >,
): void {
  const current = getProgress(tx, sessionId);
  if (!current) return;
  const next = { ...current, ...patch };
  tx.raw
    .prepare(
      `UPDATE candidate_progress SET stage = ?, analysis_fps = ?, recording_id = ?, id_decision = ?,
         reference_embedding = ?, updated_at = ? WHERE session_id = ?`,
    )
    .run(
      next.stage,
      next.analysisFps,
      next.recordingId,
      next.idDecision,
      next.referenceEmbedding ? JSON.stringify(next.referenceEmbedding) : null,
      new Date().toISOString(),
      sessionId,
    );
}
