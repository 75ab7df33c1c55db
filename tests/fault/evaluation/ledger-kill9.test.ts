// The token ledger commits each row without an fsync of its own (token-ledger.ts): a power failure
// may lose the last rows, an app crash must not. kill -9 of a process recording rows: every row
// whose record() returned is there afterwards, each with exactly one outbox item for central (and no
// item without its row), and the database is intact.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Pricing } from '../../../src-main/evaluation/pricing';
import { TokenLedger } from '../../../src-main/evaluation/token-ledger';
import { openLocalStore } from '../../../src-main/store/local-store';
import { makeTempDir } from '../../support/temp-dir';

const temp = makeTempDir('vigil-ledger-kill9-');
const file = path.join(temp.dir, 'vigil.sqlite');
afterAll(() => temp.cleanup());

/** Runs the writer until it has acknowledged `acks` rows, kills it with SIGKILL, returns the acked ids. */
function recordThenKill(acks: number): Promise<number[]> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve('tests/fault/support/ledger-writer-child.ts'), file],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const acked: number[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
      if (acked.length >= acks && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`the writer exited on its own (code ${code}): ${stderr}`));
    });
  });
}

describe('token ledger after kill -9', () => {
  it('keeps every row whose record() returned', async () => {
    const acked = await recordThenKill(200);
    expect(acked.length).toBeGreaterThanOrEqual(200);
    const db = await openLocalStore(file);
    try {
      expect(db.raw.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = new TokenLedger(db, new Pricing()).list();
      const ids = new Set(rows.map((r) => r.id));
      expect(acked.filter((id) => !ids.has(id))).toEqual([]);
      const keys = db.raw
        .prepare(`select idempotency_key from outbox where kind = 'token_usage' order by id`)
        .pluck()
        .all();
      expect(keys).toEqual(rows.map((r) => `token_usage:${r.centralId}`));
    } finally {
      await db.close();
    }
  });
});
