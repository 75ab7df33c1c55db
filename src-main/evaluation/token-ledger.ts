// The token-usage ledger: one row per provider request, written synchronously (better-sqlite3) so
// it can join any surrounding transaction, and roll-ups per exam, per month and cumulative.
//
// Durability: a row written outside a transaction commits to the WAL without an fsync of its own
// (synchronous=NORMAL for that one commit; the connection's level is restored at once). A crash of
// the app cannot lose it (the WAL write is in the OS already); only a power or OS failure can, until
// the next synchronous=FULL commit on this database (its fsync covers the whole WAL file, and WAL
// frames are appended in order) or the next checkpoint. Every caller commits FULL right after its
// request on the same connection: EvaluationJobs saves the result or re-queues the job; the session
// flow saves the transcript and the questions. So an evaluation that survived a power failure has
// its usage rows; if power fails before its commit, the evaluation is lost with them and the job
// runs again at the next start (no lost evaluation). The ledger may then miss the interrupted
// attempt's requests (an under-count the per-row fsync also had, in a narrower window) but never
// holds a request twice (no double billing): each row is written once, after its response. Rows are
// not synced to central yet; when they are, the outbox key must be a random id, not this rowid,
// which a lost row frees for reuse. A per-row fsync cost 2–22 ms on this project's shared build
// machine, as much as a fast model's whole answer (bench-results/evaluation-openai.json).
import type { SqliteHandle } from '../interview/local-db';
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

interface UsageRow {
  id: number;
  created_at: string;
  model: string;
  request_type: RequestType;
  status: UsageStatus;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  audio_seconds: number | null;
  cost_nano_usd: number | null;
  session_id: string | null;
  exam_id: string | null;
  user_id: string | null;
  http_status: number | null;
  attempt: number;
}

function fromRow(r: UsageRow): TokenUsage {
  return {
    id: r.id,
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

export type RollupBy = 'exam' | 'month' | 'cumulative';

export class TokenLedger {
  private readonly insert;
  /** Only WAL makes a commit without fsync safe: in rollback-journal mode NORMAL risks corruption. */
  private readonly wal: boolean;
  constructor(
    private readonly db: SqliteHandle,
    private readonly pricing: Pricing,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.insert = db.prepare(
      `insert into token_usage (created_at, model, request_type, status, prompt_tokens, completion_tokens,
         total_tokens, audio_seconds, cost_nano_usd, session_id, exam_id, user_id, http_status, attempt)
       values (@created_at, @model, @request_type, @status, @prompt_tokens, @completion_tokens,
         @total_tokens, @audio_seconds, @cost_nano_usd, @session_id, @exam_id, @user_id, @http_status, @attempt)`,
    );
    this.wal = String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
  }

  /** Inserts the row; outside a transaction, commits it without an fsync (see the top comment). */
  private write(row: Omit<UsageRow, 'id'>): number {
    if (!this.wal || this.db.inTransaction) return Number(this.insert.run(row).lastInsertRowid);
    // Not prepared statements: SQLite applies (and reads) this pragma when compiling it.
    const level = this.db.pragma('synchronous', { simple: true }) as number;
    if (level <= 1) return Number(this.insert.run(row).lastInsertRowid);
    this.db.pragma('synchronous = NORMAL');
    try {
      return Number(this.insert.run(row).lastInsertRowid);
    } finally {
      this.db.pragma(`synchronous = ${level}`);
    }
  }

  record(entry: UsageEntry): TokenUsage {
    const row: Omit<UsageRow, 'id'> = {
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
