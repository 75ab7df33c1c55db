// The heads of the open sessions' hash chains, reported to the server while online (central 0433):
// each report is stored with the server's receive time, so a chain the device rebuilds later (for
// example after holding its events back) contradicts a head the server already holds and is
// flagged, and the console can tell an exam anchored all along from one written offline.
import type { LocalStore } from '../store/local-store';

/** Heads go up at least this often per open session (the server expects one every 30 s). */
export const ANCHOR_EVERY_MS = 20_000;

export interface ChainHead {
  sessionId: string;
  seq: number;
  hash: string;
}

/** The chain head of every session still in progress, per enrollment it was started under. */
export function openChainHeads(store: LocalStore): { deviceId: string | null; heads: ChainHead[] }[] {
  const rows = store.all(
    store.q
      .selectFrom('sessions')
      .select(['id', 'device_id', 'chain_seq', 'chain_head'])
      .where('status', '=', 'in_progress')
      .orderBy('started_at'),
  );
  const groups = new Map<string | null, ChainHead[]>();
  for (const row of rows) {
    const heads = groups.get(row.device_id) ?? [];
    heads.push({ sessionId: row.id, seq: row.chain_seq, hash: Buffer.from(row.chain_head).toString('hex') });
    groups.set(row.device_id, heads);
  }
  return [...groups.entries()].map(([deviceId, heads]) => ({ deviceId, heads }));
}
