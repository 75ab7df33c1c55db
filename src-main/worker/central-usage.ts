// The worker's token ledger, one per job: every AI request the job makes becomes one central
// `token_usage` row, written as soon as its response is in (StructuredChat records synchronously;
// the insert runs in the background and `settle` waits for it). A job settles before it files its result, so a
// filed evaluation always has its usage rows; a worker killed mid-request loses at most the row of
// the request in flight (an under-count, never a request billed twice: each row has a fresh id).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { VigilError } from '../errors';
import type { CentralDatabase } from '../central/schema';
import type { Pricing } from '../evaluation/pricing';
import { nanoUsdToDecimal, type UsageEntry, type UsageRecorder } from '../evaluation/token-ledger';

export class CentralUsageRecorder implements UsageRecorder {
  private pending: Promise<unknown>[] = [];
  private failure: unknown = null;
  /** Rows written so far by this recorder. */
  written = 0;

  constructor(
    private readonly db: Kysely<CentralDatabase>,
    private readonly pricing: Pricing,
  ) {}

  record(entry: UsageEntry): void {
    const cost = this.pricing.costNanoUsd(entry.model, entry);
    const write = this.db
      .insertInto('vigil.token_usage')
      .values({
        id: randomUUID(),
        user_id: entry.userId ?? null,
        exam_id: entry.examId ?? null,
        session_id: entry.sessionId ?? null,
        model: entry.model,
        prompt_tokens: entry.promptTokens,
        completion_tokens: entry.completionTokens,
        total_tokens: entry.totalTokens ?? entry.promptTokens + entry.completionTokens,
        request_type: entry.requestType,
        cost: cost === null ? 0 : nanoUsdToDecimal(cost),
      })
      .execute()
      .then(
        () => {
          this.written += 1;
        },
        (error: unknown) => {
          this.failure ??= error;
        },
      );
    this.pending.push(write);
  }

  /** Waits for every row recorded so far; throws if one could not be written. */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
    if (this.failure !== null) {
      const failure = this.failure;
      this.failure = null;
      throw new VigilError(
        'UNAVAILABLE',
        'A token_usage row could not be written to the central server; the job is retried.',
        {},
        { cause: failure },
      );
    }
  }
}
