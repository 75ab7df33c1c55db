// `vigil db check`: the local database's own integrity check, every session's hash chain, and what
// is still waiting to be synced.
import { blobCounts } from './blob-uploads';
import { verifyChain, type ChainCheck } from './event-chain';
import type { Tx } from './local-store';
import { outboxCounts, type OutboxCounts } from './outbox';

export interface DbCheck {
  integrity: string[];
  integrityOk: boolean;
  chains: ChainCheck[];
  chainsOk: boolean;
  outbox: OutboxCounts;
  blobs: ReturnType<typeof blobCounts>;
  ok: boolean;
}

export function checkDatabase(tx: Tx): DbCheck {
  const integrity = (tx.raw.pragma('integrity_check') as { integrity_check: string }[]).map(
    (r) => r.integrity_check,
  );
  const integrityOk = integrity.length === 1 && integrity[0] === 'ok';
  const sessions = tx.all(tx.q.selectFrom('sessions').select('id').orderBy('started_at'));
  const chains = sessions.map((s) => verifyChain(tx, s.id));
  const chainsOk = chains.every((c) => c.ok);
  return {
    integrity,
    integrityOk,
    chains,
    chainsOk,
    outbox: outboxCounts(tx),
    blobs: blobCounts(tx),
    ok: integrityOk && chainsOk,
  };
}
