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
  /** The session the item belongs to: it goes with the credential the session was started under. */
  sessionId?: string;
  /** The exam of an item with no session (a usage row outside a session): its current enrollment's. */
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
  // The enrollment is fixed when the item is written (its session's, looked up in the same
  // statement): the uploader sends the item with that enrollment's token and no other. An item of
  // no session and no exam goes with the latest enrollment.
  const deviceId =
    item.sessionId !== undefined
      ? sql<string | null>`(SELECT device_id FROM sessions WHERE id = ${item.sessionId})`
      : item.examId
        ? sql<string | null>`(SELECT device_id FROM enrollments WHERE exam_id = ${item.examId}
            ORDER BY enrolled_at DESC, device_id DESC LIMIT 1)`
        : sql<
            string | null
          >`(SELECT device_id FROM enrollments ORDER BY enrolled_at DESC, device_id DESC LIMIT 1)`;
  tx.run(
    tx.q
      .insertInto('outbox')
      .values({
        kind: item.kind,
        idempotency_key: item.idempotencyKey,
        payload,
        bytes: Buffer.byteLength(payload),
        created_at: new Date().toISOString(),
        device_id: deviceId,
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
 * With `enrollment` (a central device id, or null for items written before any enrollment) only
 * that enrollment's rows: one batch never mixes credentials.
 */
export function pendingBatch(
  tx: Tx,
  limit: number,
  maxBytes = 4 * 1024 * 1024,
  afterId = 0,
  enrollment?: string | null,
): PendingRow[] {
  let query = tx.q
    .selectFrom('outbox')
    .select(['id', 'kind', 'idempotency_key', 'payload', 'bytes', 'attempts'])
    .where('status', '=', 'pending')
    .where('id', '>', afterId);
  if (enrollment !== undefined)
    query = query.where('device_id', enrollment === null ? 'is' : '=', enrollment);
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

/** The enrollments (central device ids) with items pending, with how many each has. */
export function pendingEnrollments(tx: Tx): { deviceId: string | null; items: number }[] {
  return tx
    .all(
      tx.q
        .selectFrom('outbox')
        .select((eb) => ['device_id', eb.fn.countAll<number>().as('n')])
        .where('status', '=', 'pending')
        .groupBy('device_id')
        .orderBy((eb) => eb.fn.min('id')),
    )
    .map((r) => ({ deviceId: r.device_id, items: Number(r.n) }));
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
