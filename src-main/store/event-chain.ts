// Per-session hash chain: hash = sha256(prev_hash ‖ canonical JSON body), genesis prev_hash = 32 zero
// bytes. Each event, the session's new head and the outbox row commit in one transaction, so the
// chain on disk always ends where the outbox says it does.
import { createHash } from 'node:crypto';
import { VigilError } from '../errors';
import { canonicalJson } from './canonical-json';
import type { Tx } from './local-store';
import { enqueue } from './outbox';

export const GENESIS: Buffer = Buffer.alloc(32);

export interface ChainedEvent {
  sessionId: string;
  seq: number;
  kind: string;
  at: string;
  body: string;
  prevHash: Buffer;
  hash: Buffer;
}

export function chainHash(prevHash: Buffer, body: string): Buffer {
  return createHash('sha256').update(prevHash).update(body, 'utf8').digest();
}

export function appendEvent(
  tx: Tx,
  input: { sessionId: string; kind: string; data?: unknown; at?: string },
): ChainedEvent {
  const session = tx.first(
    tx.q.selectFrom('sessions').select(['chain_seq', 'chain_head']).where('id', '=', input.sessionId),
  );
  if (!session)
    throw new VigilError('NOT_FOUND', `No local session ${input.sessionId} to record an event in.`);
  const seq = session.chain_seq + 1;
  const at = input.at ?? new Date().toISOString();
  const body = canonicalJson({
    sessionId: input.sessionId,
    seq,
    kind: input.kind,
    at,
    data: input.data ?? {},
  });
  const prevHash = Buffer.from(session.chain_head);
  const hash = chainHash(prevHash, body);
  tx.run(
    tx.q
      .insertInto('events')
      .values({ session_id: input.sessionId, seq, kind: input.kind, at, body, prev_hash: prevHash, hash }),
  );
  tx.run(
    tx.q.updateTable('sessions').set({ chain_seq: seq, chain_head: hash }).where('id', '=', input.sessionId),
  );
  enqueue(tx, {
    kind: 'event',
    idempotencyKey: `event:${input.sessionId}:${seq}`,
    sessionId: input.sessionId,
    payload: { body, prevHash: prevHash.toString('hex'), hash: hash.toString('hex') },
  });
  return { sessionId: input.sessionId, seq, kind: input.kind, at, body, prevHash, hash };
}

export interface ChainCheck {
  sessionId: string;
  events: number;
  ok: boolean;
  /** First sequence number where the chain breaks (missing, altered or mis-linked). */
  brokenAt?: number;
  problem?: string;
}

export function verifyChain(tx: Tx, sessionId: string): ChainCheck {
  const session = tx.first(
    tx.q.selectFrom('sessions').select(['chain_seq', 'chain_head']).where('id', '=', sessionId),
  );
  const rows = tx.all(
    tx.q
      .selectFrom('events')
      .select(['seq', 'body', 'prev_hash', 'hash'])
      .where('session_id', '=', sessionId)
      .orderBy('seq'),
  );
  let prev: Buffer = GENESIS;
  let expected = 1;
  for (const row of rows) {
    if (row.seq !== expected)
      return { sessionId, events: rows.length, ok: false, brokenAt: expected, problem: 'missing event' };
    if (!Buffer.from(row.prev_hash).equals(prev)) {
      return {
        sessionId,
        events: rows.length,
        ok: false,
        brokenAt: row.seq,
        problem: 'does not continue the chain',
      };
    }
    const hash = chainHash(prev, row.body);
    if (!hash.equals(Buffer.from(row.hash))) {
      return {
        sessionId,
        events: rows.length,
        ok: false,
        brokenAt: row.seq,
        problem: 'hash does not match the event',
      };
    }
    prev = hash;
    expected++;
  }
  if (session && (session.chain_seq !== rows.length || !Buffer.from(session.chain_head).equals(prev))) {
    return {
      sessionId,
      events: rows.length,
      ok: false,
      brokenAt: rows.length + 1,
      problem: 'session head is ahead of its events',
    };
  }
  return { sessionId, events: rows.length, ok: true };
}
