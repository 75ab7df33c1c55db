// The outbox: every item the central server must receive, written in the same SQLite transaction
// as the domain row it describes. The uploader reads it in order; acknowledged rows are deleted;
// rejected rows stay with their reason (surfaced in sync status) and never block the queue.
import { sql } from 'kysely';
import type { Tx } from './local-store';

export type OutboxKind =
  | 'session.start'
  | 'session.update'
  | 'event'
  | 'warning'
  | 'question'
  | 'message'
  | 'evaluation'
  | 'token_usage';

export interface OutboxItem {
  kind: OutboxKind;
  /** Unique per logical write: the server applies each key once. A new version needs a new key. */
  idempotencyKey: string;
  payload: Record<string, unknown>;
  /** The session the item belongs to: the item goes with the credential of that session's exam. */
  sessionId?: string;
  /** The exam of an item with no session (a usage row outside a session). */
  examId?: string | null;
}

export interface PendingRow {
  id: number;
  kind: string;
  idempotency_key: string;
  payload: string;
  bytes: number;
  attempts: number;
}

export function enqueue(tx: Tx, item: OutboxItem): void {
  const payload = JSON.stringify(item.payload);
  // The exam is fixed when the item is written (its session's, looked up in the same statement):
  // the uploader sends it with that exam's enrollment credential and no other.
  const examId =
    item.sessionId !== undefined
      ? sql<string | null>`(SELECT exam_id FROM sessions WHERE id = ${item.sessionId})`
      : (item.examId ?? null);
  tx.run(
    tx.q
      .insertInto('outbox')
      .values({
        kind: item.kind,
        idempotency_key: item.idempotencyKey,
        payload,
        bytes: Buffer.byteLength(payload),
        created_at: new Date().toISOString(),
        exam_id: examId,
      })
      // Same key still pending: the newer payload replaces it (one write, latest state).
      .onConflict((oc) =>
        oc
          .column('idempotency_key')
          .doUpdateSet((eb) => ({ payload: eb.ref('excluded.payload'), bytes: eb.ref('excluded.bytes') }))
          .where('outbox.status', '=', 'pending'),
      ),
  );
}

/**
 * Pending rows in order; `afterId` skips rows already sent whose receipts are not recorded yet.
 * With `exam` (an exam id, or null for items of no exam) only that exam's rows: one batch never
 * mixes exams, since each exam's items go with its own credential.
 */
export function pendingBatch(
  tx: Tx,
  limit: number,
  maxBytes = 4 * 1024 * 1024,
  afterId = 0,
  exam?: string | null,
): PendingRow[] {
  let query = tx.q
    .selectFrom('outbox')
    .select(['id', 'kind', 'idempotency_key', 'payload', 'bytes', 'attempts'])
    .where('status', '=', 'pending')
    .where('id', '>', afterId);
  if (exam !== undefined) query = query.where('exam_id', exam === null ? 'is' : '=', exam);
  const rows = tx.all(query.orderBy('id').limit(limit));
  const batch: PendingRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (batch.length > 0 && bytes + row.bytes > maxBytes) break;
    batch.push(row);
    bytes += row.bytes;
  }
  return batch;
}

export function acknowledge(tx: Tx, ids: number[]): void {
  if (ids.length === 0) return;
  tx.run(tx.q.deleteFrom('outbox').where('id', 'in', ids));
}

export function reject(tx: Tx, id: number, reason: string): void {
  tx.run(tx.q.updateTable('outbox').set({ status: 'rejected', reason }).where('id', '=', id));
}

export function noteAttempt(tx: Tx, ids: number[]): void {
  if (ids.length === 0) return;
  tx.run(
    tx.q
      .updateTable('outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', ids),
  );
}

/** The exams with items pending (null: items of no exam), with how many each has. */
export function pendingExams(tx: Tx): { examId: string | null; items: number }[] {
  return tx
    .all(
      tx.q
        .selectFrom('outbox')
        .select((eb) => ['exam_id', eb.fn.countAll<number>().as('n')])
        .where('status', '=', 'pending')
        .groupBy('exam_id')
        .orderBy((eb) => eb.fn.min('id')),
    )
    .map((r) => ({ examId: r.exam_id, items: Number(r.n) }));
}

export interface OutboxCounts {
  pendingItems: number;
  pendingBytes: number;
  rejectedItems: number;
}

export function outboxCounts(tx: Tx): OutboxCounts {
  const rows = tx.all(
    tx.q
      .selectFrom('outbox')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('bytes').as('bytes')])
      .groupBy('status'),
  );
  const pending = rows.find((r) => r.status === 'pending');
  return {
    pendingItems: Number(pending?.n ?? 0),
    pendingBytes: Number(pending?.bytes ?? 0),
    rejectedItems: Number(rows.find((r) => r.status === 'rejected')?.n ?? 0),
  };
}

export function rejectedItems(tx: Tx, limit = 50): { key: string; kind: string; reason: string }[] {
  return tx
    .all(
      tx.q
        .selectFrom('outbox')
        .select(['idempotency_key', 'kind', 'reason'])
        .where('status', '=', 'rejected')
        .orderBy('id')
        .limit(limit),
    )
    .map((r) => ({ key: r.idempotency_key, kind: r.kind, reason: r.reason ?? '' }));
}
