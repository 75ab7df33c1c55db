// Session, warning and snapshot writes. Each writes its local row and its outbox item in the same
// transaction, and records a chained event so the evidence timeline is tamper-evident.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { riskExplanationProblem, type RiskExplanation } from '../../src-preload/risk-explanation';
import { VigilError } from '../errors';
import { registerBlob } from './blob-uploads';
import { appendEvent } from './event-chain';
import type { Tx } from './local-store';
import { enqueue } from './outbox';
import type { SessionStatus } from './schema';

export function startSession(tx: Tx, input: { examId: string; id?: string; startedAt?: string }): string {
  const id = input.id ?? randomUUID();
  const startedAt = input.startedAt ?? new Date().toISOString();
  // Started under the exam's current enrollment: that central device row files the whole session.
  const deviceId = sql<string | null>`(SELECT device_id FROM enrollments WHERE exam_id = ${input.examId}
    ORDER BY enrolled_at DESC, device_id DESC LIMIT 1)`;
  tx.run(
    tx.q
      .insertInto('sessions')
      .values({ id, exam_id: input.examId, started_at: startedAt, device_id: deviceId }),
  );
  enqueue(tx, {
    kind: 'session.start',
    idempotencyKey: `session.start:${id}`,
    payload: { id, startedAt },
    sessionId: id,
  });
  appendEvent(tx, { sessionId: id, kind: 'session_started', data: { examId: input.examId }, at: startedAt });
  return id;
}

export function finishSession(
  tx: Tx,
  input: {
    sessionId: string;
    status: Exclude<SessionStatus, 'in_progress'>;
    /** The score with its factors (src-main/session/session-risk.ts); a bare number is not taken. */
    risk?: RiskExplanation;
    endedAt?: string;
  },
): void {
  const endedAt = input.endedAt ?? new Date().toISOString();
  const problem = input.risk && riskExplanationProblem(input.risk);
  if (problem) {
    throw new VigilError('INTEGRITY', `The session's risk is not stored: ${problem}.`, {
      sessionId: input.sessionId,
    });
  }
  // The explanation lives in the chain's finishing event: stored with the score in this
  // transaction, tamper-evident, and carried to central, which files the score from it.
  appendEvent(tx, {
    sessionId: input.sessionId,
    kind: 'session_finished',
    data: { status: input.status, ...(input.risk ? { risk: input.risk } : {}) },
    at: endedAt,
  });
  const { changes } = tx.run(
    tx.q
      .updateTable('sessions')
      .set({ status: input.status, ended_at: endedAt, risk_score: input.risk?.score ?? null })
      .where('id', '=', input.sessionId),
  );
  if (changes === 0) throw new VigilError('NOT_FOUND', `No local session ${input.sessionId} to finish.`);
  const head = tx.first(
    tx.q.selectFrom('sessions').select(['chain_seq', 'chain_head']).where('id', '=', input.sessionId),
  );
  enqueue(tx, {
    kind: 'session.update',
    idempotencyKey: `session.finish:${input.sessionId}`,
    sessionId: input.sessionId,
    payload: {
      id: input.sessionId,
      status: input.status,
      endedAt,
      ...(input.risk ? { riskScore: input.risk.score } : {}),
      finalSeq: head?.chain_seq ?? 0,
      finalHash: Buffer.from(head?.chain_head ?? Buffer.alloc(32)).toString('hex'),
    },
  });
}

export interface WarningInput {
  id?: string;
  sessionId: string;
  type: string;
  severity: 'low' | 'medium' | 'high';
  startedAt: string;
  endedAt?: string | null;
  confidence?: number | null;
  details?: Record<string, unknown>;
}

/** Records a warning (or its update when it ends). Returns the warning id. */
export function recordWarning(tx: Tx, input: WarningInput): string {
  const id = input.id ?? randomUUID();
  const details = JSON.stringify(input.details ?? {});
  tx.run(
    tx.q
      .insertInto('warnings')
      .values({
        id,
        session_id: input.sessionId,
        type: input.type,
        severity: input.severity,
        started_at: input.startedAt,
        ended_at: input.endedAt ?? null,
        confidence: input.confidence ?? null,
        details,
      })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({ ended_at: input.endedAt ?? null, confidence: input.confidence ?? null, details }),
      ),
  );
  enqueueWarning(tx, id, input.endedAt ? 'ended' : 'started');
  appendEvent(tx, {
    sessionId: input.sessionId,
    kind: input.endedAt ? 'warning_ended' : 'warning_started',
    data: { warningId: id, type: input.type, severity: input.severity },
    at: input.endedAt ?? input.startedAt,
  });
  return id;
}

/**
 * Links a warning to its clip of the recording (flags_only uploads): the clip goes into the
 * warning's details, so every later version of the warning carries it too, and the new version is
 * queued for central.
 */
export function linkWarningClip(
  tx: Tx,
  warningId: string,
  /** startS/lengthS: the window in the recording; atS: the warning's moment in the clip. */
  clip: { sha256: string; startS?: number; lengthS?: number; atS?: number },
): void {
  const row = tx.first(tx.q.selectFrom('warnings').select('details').where('id', '=', warningId));
  if (!row) throw new VigilError('NOT_FOUND', `No local warning ${warningId} to link a clip to.`);
  const details = { ...(JSON.parse(row.details) as Record<string, unknown>), clip };
  tx.run(
    tx.q
      .updateTable('warnings')
      .set({ details: JSON.stringify(details) })
      .where('id', '=', warningId),
  );
  enqueueWarning(tx, warningId, `clip:${clip.sha256}`);
}

/** Queues the warning's current state under a key naming this version of it. */
function enqueueWarning(tx: Tx, id: string, version: string): void {
  const row = tx.first(tx.q.selectFrom('warnings').selectAll().where('id', '=', id));
  if (!row) throw new VigilError('NOT_FOUND', `No local warning ${id}.`);
  const snapshotSha = row.snapshot_id
    ? tx.first(tx.q.selectFrom('snapshots').select('sha256').where('id', '=', row.snapshot_id))?.sha256
    : undefined;
  enqueue(tx, {
    kind: 'warning',
    idempotencyKey: `warning:${id}:${version}`,
    sessionId: row.session_id,
    payload: {
      id,
      sessionId: row.session_id,
      type: row.type,
      severity: row.severity,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      confidence: row.confidence,
      details: JSON.parse(row.details) as unknown,
      ...(snapshotSha ? { snapshotSha256: snapshotSha } : {}),
    },
  });
}

/** A JPEG already written (and fsync'd) to disk becomes a snapshot row and a pending blob upload. */
export function addSnapshot(
  tx: Tx,
  input: {
    sessionId: string;
    warningId?: string;
    path: string;
    sha256: string;
    bytes: number;
    takenAt?: string;
    deleteAfterUpload?: boolean;
  },
): string {
  const id = randomUUID();
  const takenAt = input.takenAt ?? new Date().toISOString();
  tx.run(
    tx.q.insertInto('snapshots').values({
      id,
      session_id: input.sessionId,
      warning_id: input.warningId ?? null,
      path: input.path,
      sha256: input.sha256,
      bytes: input.bytes,
      taken_at: takenAt,
    }),
  );
  if (input.warningId) {
    tx.run(tx.q.updateTable('warnings').set({ snapshot_id: id }).where('id', '=', input.warningId));
    enqueueWarning(tx, input.warningId, `snapshot:${id}`);
  }
  registerBlob(tx, {
    id,
    sessionId: input.sessionId,
    kind: 'snapshot',
    path: input.path,
    sha256: input.sha256,
    size: input.bytes,
    contentType: 'image/jpeg',
    deleteAfterUpload: input.deleteAfterUpload ?? false,
  });
  appendEvent(tx, {
    sessionId: input.sessionId,
    kind: 'snapshot',
    data: { snapshotId: id, sha256: input.sha256 },
    at: takenAt,
  });
  return id;
}
