// The token ledger: exact integer costs from the pricing table (with overrides), and roll-ups per
// exam, per month and cumulative that add up exactly.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatUsage } from '../../../src-main/cli/commands/usage';
import { Pricing } from '../../../src-main/evaluation/pricing';
import { TokenLedger } from '../../../src-main/evaluation/token-ledger';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { makeTempDir } from '../../support/temp-dir';

let db: LocalStore;
let at: Date;
let ledger: TokenLedger;
beforeEach(async () => {
  db = await openLocalStore(':memory:');
  at = new Date('2026-01-31T23:59:00Z');
  ledger = new TokenLedger(db, new Pricing({ 'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 } }), () => at);
});
afterEach(async () => {
  await db.close();
});

const row = (model: string, examId: string | null, prompt: number, completion: number) =>
  ledger.record({
    model,
    examId,
    requestType: 'evaluation',
    status: 'ok',
    promptTokens: prompt,
    completionTokens: completion,
    attempt: 1,
  });

describe('pricing', () => {
  it('matches dated snapshots to their base model and prices in exact nano-dollars', () => {
    const p = new Pricing();
    expect(p.priceOf('gpt-4o-mini-2024-07-18')).toEqual({ inputPerMTok: 0.15, outputPerMTok: 0.6 });
    expect(p.priceOf('gpt-4o-2024-08-06')).toEqual({ inputPerMTok: 2.5, outputPerMTok: 10 });
    expect(p.costNanoUsd('gpt-4o-mini', { promptTokens: 1, completionTokens: 1 })).toBe(750);
    expect(p.costNanoUsd('llama-3', { promptTokens: 1, completionTokens: 1 })).toBeNull();
    expect(
      new Pricing({ 'llama-3': { inputPerMTok: 0.001, outputPerMTok: 0 } }).costNanoUsd('llama-3', {
        promptTokens: 3,
        completionTokens: 9,
      }),
    ).toBe(3);
  });
});

describe('token ledger roll-ups', () => {
  it('sums per exam, per month and cumulatively, exactly', () => {
    row('gpt-4o-mini', 'exam-a', 1000, 500); // 150000 + 300000 = 450000
    row('gpt-4o', 'exam-b', 2000, 100); // 5000000 + 1000000 = 6000000
    at = new Date('2026-02-01T00:01:00Z');
    row('gpt-4o-mini', 'exam-a', 10, 10); // 1500 + 6000 = 7500
    row('local-llm', null, 7, 3); // unpriced

    expect(
      ledger.rollup('exam').map((r) => [r.key, r.requests, r.totalTokens, r.costNanoUsd, r.unpricedRequests]),
    ).toEqual([
      ['(no exam)', 1, 10, 0, 1],
      ['exam-a', 2, 1520, 457_500, 0],
      ['exam-b', 1, 2100, 6_000_000, 0],
    ]);
    expect(ledger.rollup('month').map((r) => [r.key, r.requests, r.costNanoUsd])).toEqual([
      ['2026-01', 2, 6_450_000],
      ['2026-02', 2, 7_500],
    ]);
    const [all] = ledger.rollup('cumulative');
    expect(all).toMatchObject({
      requests: 4,
      promptTokens: 3017,
      completionTokens: 613,
      totalTokens: 3630,
      costNanoUsd: 6_457_500,
    });
    expect(all!.costUsd).toBe(0.0064575);
  });

  it('reports an empty ledger as zero and formats CSV for spreadsheets', () => {
    expect(ledger.rollup('cumulative')).toEqual([
      {
        key: 'all',
        requests: 0,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        costNanoUsd: 0,
        costUsd: 0,
        unpricedRequests: 0,
      },
    ]);
    row('gpt-4o', 'exam,"quoted"', 1000, 0);
    row('gpt-4o', ' @SUM(A1)', 1000, 0);
    // RFC 4180 through the one CSV writer: CRLF rows, and a key a spreadsheet would run stays text.
    expect(formatUsage(ledger.rollup('exam'), 'exam', true)).toBe(
      'exam,requests,prompt_tokens,completion_tokens,total_tokens,cost_usd,unpriced_requests\r\n' +
        "' @SUM(A1),1,1000,0,1000,0.002500,0\r\n" +
        '"exam,""quoted""",1,1000,0,1000,0.002500,0\r\n',
    );
  });
});

describe('token ledger writes on a file database (WAL, synchronous=FULL)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let file: LocalStore;
  let fileLedger: TokenLedger;
  const entry = {
    model: 'gpt-4o-mini',
    requestType: 'evaluation' as const,
    status: 'ok' as const,
    promptTokens: 10,
    completionTokens: 5,
    attempt: 1,
  };
  const synchronous = () => file.raw.pragma('synchronous', { simple: true });
  beforeEach(async () => {
    temp = makeTempDir('vigil-ledger-');
    file = await openLocalStore(path.join(temp.dir, 'vigil.sqlite'));
    fileLedger = new TokenLedger(file, new Pricing());
  });
  afterEach(async () => {
    await file.close();
    temp.cleanup();
  });

  it('commits each row on its own and leaves the connection at synchronous=FULL', () => {
    expect(synchronous()).toBe(2);
    fileLedger.record(entry);
    expect(synchronous()).toBe(2);
    // Committed: another connection sees it.
    const other = new Database(path.join(temp.dir, 'vigil.sqlite'), { readonly: true });
    try {
      expect(other.prepare('select count(*) from token_usage').pluck().get()).toBe(1);
    } finally {
      other.close();
    }
  });

  it('restores synchronous=FULL when the insert fails', () => {
    expect(() => fileLedger.record({ ...entry, requestType: 'bogus' as never })).toThrow(/CHECK/);
    expect(synchronous()).toBe(2);
    expect(fileLedger.list()).toEqual([]);
  });

  it('joins a surrounding transaction: rolled back with it', () => {
    const tx = file.raw.transaction(() => {
      fileLedger.record(entry);
      throw new Error('the evaluation could not be saved');
    });
    expect(() => tx()).toThrow(/could not be saved/);
    expect(fileLedger.list()).toEqual([]);
    file.raw.transaction(() => fileLedger.record(entry))();
    expect(fileLedger.list()).toHaveLength(1);
    expect(synchronous()).toBe(2);
  });
});
