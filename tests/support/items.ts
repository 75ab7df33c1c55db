// Hand-built ingest items for central tests: a session and a valid hash-chained run of events, the
// same shapes the local store's outbox produces.
import { createHash, randomUUID } from 'node:crypto';
import type { IngestItem } from '../../src-main/central/device-channel';
import { canonicalJson } from '../../src-main/store/canonical-json';
import { chainHash, GENESIS } from '../../src-main/store/event-chain';

export function sessionStart(sessionId: string = randomUUID()): IngestItem {
  return {
    key: `session.start:${sessionId}`,
    kind: 'session.start',
    payload: { id: sessionId, startedAt: new Date().toISOString() },
  };
}

export function chainedEvents(
  sessionId: string,
  count: number,
  from = 1,
  prev: Buffer = GENESIS,
  /** Extra event data, and a key suffix so the same positions can be sent again with other content. */
  variant?: { data: Record<string, unknown>; keySuffix: string },
): { items: IngestItem[]; head: Buffer } {
  const items: IngestItem[] = [];
  let head = prev;
  for (let seq = from; seq < from + count; seq++) {
    const body = canonicalJson({
      sessionId,
      seq,
      kind: 'gaze',
      at: new Date(1_700_000_000_000 + seq).toISOString(),
      data: { seq, ...variant?.data },
    });
    const hash = chainHash(head, body);
    items.push({
      key: `event:${sessionId}:${seq}${variant ? `:${variant.keySuffix}` : ''}`,
      kind: 'event',
      payload: { body, prevHash: head.toString('hex'), hash: hash.toString('hex') },
    });
    head = hash;
  }
  return { items, head };
}

export function warningItem(sessionId: string, type = 'no_face', id = randomUUID()): IngestItem {
  return {
    key: `warning:${id}:started`,
    kind: 'warning',
    payload: {
      id,
      sessionId,
      type,
      severity: 'high',
      startedAt: new Date().toISOString(),
      confidence: 0.8,
      details: { detector: 'test' },
    },
  };
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
