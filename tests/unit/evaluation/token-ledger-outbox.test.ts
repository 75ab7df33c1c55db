// The token ledger queues each row for central in the same transaction as the row: keyed by the
// row's random central id, with the session only when it is this device's own, nothing when the
// installation is not enrolled, nothing left behind when the row is not written, and rows from
// before migration 0204 taken up exactly once.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src-main/config/schema';
import { createAiServices } from '../../../src-main/evaluation/ai-services';
import { Pricing } from '../../../src-main/evaluation/pricing';
import { nanoUsdToDecimal, TokenLedger, type UsageEntry } from '../../../src-main/evaluation/token-ledger';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { saveEnrollment } from '../../../src-main/store/enrollments';
import { makeTempDir } from '../../support/temp-dir';

const SESSION = '6f1c1b3e-5d7a-4c2e-9a51-0d7c7c9f2a10';
const entry: UsageEntry = {
  model: 'gpt-4o-mini',
  requestType: 'evaluation',
  status: 'ok',
  promptTokens: 1000,
  completionTokens: 500,
  sessionId: SESSION,
  examId: 'exam-1',
  userId: 'cand-1',
  attempt: 1,
};

function enroll(db: LocalStore): void {
  saveEnrollment(db, {
    deviceId: 'd1',
    candidateId: 'cand-1',
    examId: 'exam-1',
    tokenStorage: 'file',
    enrolledAt: '2026-01-01T00:00:00Z',
    expiresAt: null,
  });
}
function ownSession(db: LocalStore, id = SESSION): void {
  db.raw
    .prepare(`insert into sessions (id, exam_id, started_at) values (?, 'exam-1', '2026-01-01T00:00:00Z')`)
    .run(id);
}
const outbox = (db: LocalStore) =>
  (
    db.raw.prepare('select kind, idempotency_key, payload from outbox order by id').all() as {
      kind: string;
      idempotency_key: string;
      payload: string;
    }[]
  ).map((r) => ({
    kind: r.kind,
    key: r.idempotency_key,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  }));

describe('nanoUsdToDecimal', () => {
  it('writes nano-dollars as an exact decimal string', () => {
    expect(nanoUsdToDecimal(0)).toBe('0.000000000');
    expect(nanoUsdToDecimal(1)).toBe('0.000000001');
    expect(nanoUsdToDecimal(450_000)).toBe('0.000450000');
    expect(nanoUsdToDecimal(1_234_567_890_123)).toBe('1234.567890123');
  });
});

describe('token ledger → outbox (in memory)', () => {
  let db: LocalStore;
  let ledger: TokenLedger;
  const at = new Date('2026-03-01T10:00:00Z');
  beforeEach(async () => {
    db = await openLocalStore(':memory:');
    ledger = new TokenLedger(db, new Pricing(), () => at);
  });
  afterEach(async () => {
    await db.close();
  });

  it('keeps rows local while the installation is not enrolled', () => {
    const row = ledger.record(entry);
    expect(row.centralId).toMatch(/^[0-9a-f-]{36}$/);
    expect(outbox(db)).toEqual([]);
  });

  it('queues each row once under its central id, with the session only when it is this device’s own', () => {
    enroll(db);
    ownSession(db);
    const own = ledger.record(entry);
    const foreign = ledger.record({ ...entry, sessionId: 'not-a-local-session' });
    const none = ledger.record({ ...entry, sessionId: null, requestType: 'question_generation' });
    const unpriced = ledger.record({ ...entry, model: 'local-llm', status: 'http_error', httpStatus: 500 });
    expect(new Set([own, foreign, none, unpriced].map((r) => r.centralId)).size).toBe(4);
    const items = outbox(db);
    expect(items.map((i) => [i.kind, i.key])).toEqual(
      [own, foreign, none, unpriced].map((r) => ['token_usage', `token_usage:${r.centralId}`]),
    );
    expect(items[0]!.payload).toEqual({
      id: own.centralId,
      sessionId: SESSION,
      model: 'gpt-4o-mini',
      requestType: 'evaluation',
      promptTokens: 1000,
      completionTokens: 500,
      totalTokens: 1500,
      cost: '0.000450000',
      createdAt: '2026-03-01T10:00:00.000Z',
      status: 'ok',
      costNanoUsd: 450_000,
      audioSeconds: null,
      httpStatus: null,
      attempt: 1,
    });
    // Central refuses a sessionId it does not know as this device's, and a present null one too.
    expect(items[1]!.payload).not.toHaveProperty('sessionId');
    expect(items[2]!.payload).not.toHaveProperty('sessionId');
    expect(items[2]!.payload).toMatchObject({ requestType: 'question_generation', cost: '0.000450000' });
    expect(items[3]!.payload).not.toHaveProperty('cost');
    expect(items[3]!.payload).toMatchObject({ sessionId: SESSION, costNanoUsd: null, httpStatus: 500 });
  });

  it('writes neither the row nor its item when the row fails or the enclosing transaction rolls back', () => {
    enroll(db);
    expect(() => ledger.record({ ...entry, requestType: 'bogus' as never })).toThrow(/CHECK/);
    expect(() =>
      db.raw.transaction(() => {
        ledger.record(entry);
        throw new Error('the evaluation could not be saved');
      })(),
    ).toThrow(/could not be saved/);
    expect(ledger.list()).toEqual([]);
    expect(outbox(db)).toEqual([]);
    db.raw.transaction(() => ledger.record(entry))();
    expect(ledger.list()).toHaveLength(1);
    expect(outbox(db)).toHaveLength(1);
  });

  it('gives rows from before migration 0204 a central id and queues them exactly once', () => {
    enroll(db);
    ownSession(db);
    const insert = db.raw.prepare(
      `insert into token_usage (created_at, model, request_type, status, prompt_tokens, completion_tokens,
         total_tokens, cost_nano_usd, session_id, attempt)
       values ('2026-02-01T00:00:00Z', 'gpt-4o', 'evaluation', 'ok', 10, 5, 15, ?, ?, 1)`,
    );
    insert.run(75_000, SESSION);
    insert.run(null, null);
    const fresh = ledger.record(entry);
    expect(ledger.queueBacklog()).toBe(2);
    expect(ledger.queueBacklog()).toBe(0);
    const rows = ledger.list();
    expect(rows.every((r) => r.centralId !== null)).toBe(true);
    const items = outbox(db);
    expect(items.map((i) => i.key).sort()).toEqual(rows.map((r) => `token_usage:${r.centralId}`).sort());
    expect(items[0]!.payload.id).toBe(fresh.centralId);
    expect(items[1]!.payload).toMatchObject({ sessionId: SESSION, cost: '0.000075000', totalTokens: 15 });
    expect(items[2]!.payload).not.toHaveProperty('sessionId');
    expect(items[2]!.payload).not.toHaveProperty('cost');
  });

  it('takes the backlog up when the AI services are built (app start, every CLI command)', () => {
    enroll(db);
    db.raw
      .prepare(
        `insert into token_usage (created_at, model, request_type, status, prompt_tokens, completion_tokens,
           total_tokens, attempt)
         values ('2026-02-01T00:00:00Z', 'gpt-4o', 'evaluation', 'ok', 10, 5, 15, 1)`,
      )
      .run();
    const config = configSchema.parse({
      central: {},
      data: {},
      log: {},
      proctoring: {},
      ai: {},
      media: {},
      report: {},
      security: {},
      update: {},
      worker: {},
    });
    const { ledger: built } = createAiServices({ config, store: db, env: {} });
    const [row] = built.list();
    expect(row?.centralId).toMatch(/^[0-9a-f-]{36}$/);
    expect(outbox(db).map((i) => i.key)).toEqual([`token_usage:${row?.centralId}`]);
  });
});

describe('token ledger → outbox on a file database (WAL, synchronous=FULL)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let file: LocalStore;
  beforeEach(async () => {
    temp = makeTempDir('vigil-ledger-outbox-');
    file = await openLocalStore(path.join(temp.dir, 'vigil.sqlite'));
  });
  afterEach(async () => {
    await file.close();
    temp.cleanup();
  });

  it('commits the row and its item together without leaving the connection at NORMAL', () => {
    enroll(file);
    const ledger = new TokenLedger(file, new Pricing());
    const row = ledger.record({ ...entry, sessionId: null });
    expect(file.raw.pragma('synchronous', { simple: true })).toBe(2);
    const other = new Database(path.join(temp.dir, 'vigil.sqlite'), { readonly: true });
    try {
      expect(other.prepare('select central_id from token_usage').pluck().all()).toEqual([row.centralId]);
      expect(other.prepare('select idempotency_key from outbox').pluck().all()).toEqual([
        `token_usage:${row.centralId}`,
      ]);
    } finally {
      other.close();
    }
  });
});
