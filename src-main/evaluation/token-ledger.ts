// The token-usage ledger: one row per provider request, written synchronously (better-sqlite3) so
// it can join any surrounding transaction, and roll-ups per exam, per month and cumulative.
//
// Durability: a row written outside a transaction commits to the WAL without an fsync of its own
// (synchronous=NORMAL for that one commit; the connection's level is restored at once). A crash of
// the app cannot lose it (the WAL write is in the OS already); only a power or OS failure can, until
// the next synchronous=FULL commit on this database (its fsync covers the whole WAL file, and WAL
// frames are appended in order) or the next checkpoint. Every caller commits FULL right after its
// request on the same connection: the evaluation job saves the result or the runner re-queues it;
// the transcription job and the flow save the transcript and the questions. So an evaluation that
// survived a power failure has its usage rows; if power fails before its commit, the evaluation is lost with them and the job
// runs again at the next start (no lost evaluation). The ledger may then miss the interrupted
// attempt's requests (an under-count the per-row fsync also had, in a narrower window) but never
// holds a request twice (no double billing): each row is written once, after its response. A per-row
// fsync cost 2–22 ms on this project's shared build machine, as much as a fast model's whole answer
// (bench-results/evaluation-openai.json).
//
// Sync: on an enrolled device each row's outbox item commits in the same transaction as the row
// (so both survive or neither does), keyed by the row's random central_id, not its rowid: a row
// lost to a power failure frees its rowid for the next row, which central would then drop as a
// duplicate. If the lost row had already been uploaded, central keeps it: the request was made and
// billed. Central bills a row to the device's candidate and exam (its ingest function's rule) and to
// the session only when that session is this device's own (a local `sessions` row); usage with no
// such session (CLI `vigil questions`, admin question generation) goes up without one. Rows written
// while the installation is not enrolled stay local: no device is there to send them.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Selectable } from 'kysely';
import type { Tx } from '../store/local-store';
import type { LocalTokenUsageTable } from '../store/schema';
import { enqueue, type OutboxItem } from '../store/outbox';
import type { Pricing } from './pricing';
import type { RequestType, TokenUsage, UsageContext, UsageRollup, UsageStatus } from './types';

export interface UsageEntry extends UsageContext {
  model: string;
  requestType: RequestType;
  status: UsageStatus;
  promptTokens: number;
  completionTokens: number;
  totalTokens?: number;
  audioSeconds?: number | null;
  httpStatus?: number | null;
  attempt: number;
}

/** A stored usage row, its status narrowed to what the ledger writes. */
type UsageRow = Omit<Selectable<LocalTokenUsageTable>, 'status'> & { status: UsageStatus };

function fromRow(r: UsageRow): TokenUsage {
  return {
    id: r.id,
    centralId: r.central_id,
    createdAt: r.created_at,
    model: r.model,
    requestType: r.request_type,
    status: r.status,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    totalTokens: r.total_tokens,
    audioSeconds: r.audio_seconds,
    costNanoUsd: r.cost_nano_usd,
    sessionId: r.session_id,
    examId: r.exam_id,
    userId: r.user_id,
    httpStatus: r.http_status,
    attempt: r.attempt,
  };
}

/** Nano-dollars as an exact decimal string of dollars (central stores numeric). */
export function nanoUsdToDecimal(nano: number): string {
  return `${Math.floor(nano / 1e9)}.${String(nano % 1e9).padStart(9, '0')}`;
}

/**
 * The outbox item that carries one ledger row to central `token_usage` (ingest kind `token_usage`).
 * `sessionId` only for this device's own sessions: central refuses any other, and refuses a present
 * but null one too. The fields after `cost` are not stored by today's ingest function; they travel
 * so a central schema that keeps them needs no device change.
 */
export function usageOutboxItem(
  row: Omit<UsageRow, 'id' | 'central_id'> & { central_id: string },
  ownSession: boolean,
): OutboxItem {
  return {
    kind: 'token_usage',
    idempotencyKey: `token_usage:${row.central_id}`,
    // A usage row of a session goes with that session's exam; one outside a session with its exam's.
    ...(ownSession && row.session_id !== null ? { sessionId: row.session_id } : { examId: row.exam_id }),
    payload: {
      id: row.central_id,
      ...(ownSession && row.session_id !== null ? { sessionId: row.session_id } : {}),
      model: row.model,
      requestType: row.request_type,
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      totalTokens: row.total_tokens,
      // Unpriced (model not in the pricing table): no cost, which central records as 0.
      ...(row.cost_nano_usd !== null ? { cost: nanoUsdToDecimal(row.cost_nano_usd) } : {}),
      createdAt: row.created_at,
      status: row.status,
      costNanoUsd: row.cost_nano_usd,
      audioSeconds: row.audio_seconds,
      httpStatus: row.http_status,
      attempt: row.attempt,
    },
  };
}

/** What StructuredChat needs of a ledger: one row per provider request, recorded after its response. */
export interface UsageRecorder {
  record(entry: UsageEntry): unknown;
}

export type RollupBy = 'exam' | 'month' | 'cumulative';

export class TokenLedger implements UsageRecorder {
  private readonly insert;
  private readonly commit;
  private readonly db: Database.Database;
  private readonly enrolled: Database.Statement;
  private readonly ownSession: Database.Statement;
  /** Only WAL makes a commit without fsync safe: in rollback-journal mode NORMAL risks corruption. */
  private readonly wal: boolean;
  constructor(
    private readonly tx: Tx,
    private readonly pricing: Pricing,
    private readonly now: () => Date = () => new Date(),
  ) {
    const db = tx.raw;
    this.db = db;
    this.insert = db.prepare(
      `insert into token_usage (central_id, created_at, model, request_type, status, prompt_tokens,
         completion_tokens, total_tokens, audio_seconds, cost_nano_usd, session_id, exam_id, user_id,
         http_status, attempt)
       values (@central_id, @created_at, @model, @request_type, @status, @prompt_tokens, @completion_tokens,
         @total_tokens, @audio_seconds, @cost_nano_usd, @session_id, @exam_id, @user_id, @http_status, @attempt)`,
    );
    this.enrolled = db.prepare('select 1 from enrollments limit 1');
    this.ownSession = db.prepare('select 1 from sessions where id = ?');
    // The row and its outbox item, atomically: a savepoint inside a caller's transaction.
    this.commit = db.transaction((row: Omit<UsageRow, 'id'> & { central_id: string }) => {
      const id = Number(this.insert.run(row).lastInsertRowid);
      this.queue(row);
      return id;
    });
    this.wal = String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
  }

  /** Queues the row for central when this installation is an enrolled device (see the top comment). */
  private queue(row: Omit<UsageRow, 'id'> & { central_id: string }): void {
    if (this.enrolled.get() === undefined) return;
    const own = row.session_id !== null && this.ownSession.get(row.session_id) !== undefined;
    enqueue(this.tx, usageOutboxItem(row, own));
  }

  /** Inserts the row and its outbox item; outside a transaction, commits without an fsync (top comment). */
  private write(row: Omit<UsageRow, 'id'> & { central_id: string }): number {
    // IMMEDIATE: the enrollment and session reads must not race another connection's write.
    if (!this.wal || this.db.inTransaction) return this.commit.immediate(row);
    // Not prepared statements: SQLite applies (and reads) this pragma when compiling it.
    const level = this.db.pragma('synchronous', { simple: true }) as number;
    if (level <= 1) return this.commit.immediate(row);
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.commit.immediate(row);
    } finally {
      this.db.pragma(`synchronous = ${level}`);
    }
  }

  record(entry: UsageEntry): TokenUsage {
    const row: Omit<UsageRow, 'id'> & { central_id: string } = {
      central_id: randomUUID(),
      created_at: this.now().toISOString(),
      model: entry.model,
      request_type: entry.requestType,
      status: entry.status,
      prompt_tokens: entry.promptTokens,
      completion_tokens: entry.completionTokens,
      total_tokens: entry.totalTokens ?? entry.promptTokens + entry.completionTokens,
      audio_seconds: entry.audioSeconds ?? null,
      cost_nano_usd: this.pricing.costNanoUsd(entry.model, entry),
      session_id: entry.sessionId ?? null,
      exam_id: entry.examId ?? null,
      user_id: entry.userId ?? null,
      http_status: entry.httpStatus ?? null,
      attempt: entry.attempt,
    };
    return fromRow({ ...row, id: this.write(row) });
  }

  /**
   * Rows written before migration 0204 have no central id: gives each one and queues it (when
   * enrolled), in one synchronous=FULL transaction. Idempotent; returns how many rows it took up.
   */
  queueBacklog(): number {
    const pending = this.db.prepare('select 1 from token_usage where central_id is null limit 1');
    if (pending.get() === undefined) return 0;
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare('select * from token_usage where central_id is null order by id')
          .all() as UsageRow[];
        const assign = this.db.prepare('update token_usage set central_id = ? where id = ?');
        for (const r of rows) {
          const { id, ...row } = { ...r, central_id: randomUUID() };
          assign.run(row.central_id, id);
          this.queue(row);
        }
        return rows.length;
      })
      .immediate();
  }

  list(filter: { sessionId?: string } = {}): TokenUsage[] {
    const rows = (
      filter.sessionId
        ? this.db.prepare('select * from token_usage where session_id = ? order by id').all(filter.sessionId)
        : this.db.prepare('select * from token_usage order by id').all()
    ) as UsageRow[];
    return rows.map(fromRow);
  }

  rollup(by: RollupBy): UsageRollup[] {
    const key =
      by === 'exam'
        ? "coalesce(exam_id, '(no exam)')"
        : by === 'month'
          ? 'substr(created_at, 1, 7)'
          : "'all'";
    const rows = this.db
      .prepare(
        `select ${key} as key, count(*) as requests, sum(prompt_tokens) as promptTokens,
           sum(completion_tokens) as completionTokens, sum(total_tokens) as totalTokens,
           coalesce(sum(cost_nano_usd), 0) as costNano,
           sum(case when cost_nano_usd is null then 1 else 0 end) as unpricedRequests
         from token_usage group by 1 order by 1`,
      )
      .all() as (Omit<UsageRollup, 'costUsd' | 'costNanoUsd'> & { costNano: number })[];
    if (by === 'cumulative' && rows.length === 0)
      return [
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
      ];
    return rows.map(({ costNano, ...r }) => ({ ...r, costNanoUsd: costNano, costUsd: costNano / 1e9 }));
  }
}
