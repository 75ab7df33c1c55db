// The one uploader: sends outbox rows in order and in batches, then pending blobs, with exponential
// backoff and jitter on failure. Receipts decide each row's fate: applied or duplicate → deleted;
// rejected → kept with the server's reason and surfaced, without blocking the rows behind it. It is
// all async and each SQLite step is a short transaction, so it never blocks the UI.
// Each item and file goes with the token of the enrollment its session was started under, in
// batches of that enrollment only (central files an item under the device row of the token it came
// with). An enrollment with no usable credential (expired, refused by the server, gone) has its items
// held on the device with the reason in the status; they never borrow another one's token, nor
// block the others.
import type { SyncStatusPayload } from '../../src-preload/contract';
import type { DeviceChannel, IngestItem, Receipt } from '../central/device-channel';
import { VigilError, isVigilError } from '../errors';
import { blobCounts } from '../store/blob-uploads';
import type { LocalStore } from '../store/local-store';
import {
  acknowledge,
  noteAttempt,
  outboxCounts,
  pendingBatch,
  pendingEnrollments,
  reject,
  rejectedItems,
  type PendingRow,
} from '../store/outbox';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { ANCHOR_EVERY_MS, openChainHeads } from './chain-anchors';
import {
  DEFAULT_CHUNK_BYTES,
  nextPendingBlobs,
  pendingBlobEnrollments,
  rejectedBlobs,
  retryQuotaRefusedBlobs,
  uploadBlob,
} from './blob-uploader';

/** The same shape as the `syncStatus` contract event. */
export type SyncStatus = SyncStatusPayload;

export interface SyncRound {
  sent: number;
  applied: number;
  duplicates: number;
  rejected: number;
  blobs: number;
}

/** What sends one enrollment's items: its token, or why they stay on the device. */
export type Credential = string | { held: string } | undefined;

/** Items of one enrollment waiting on the device, and why (the status's `held`). */
export type HeldItems = SyncStatusPayload['held'][number];

export interface UploaderOptions {
  store: LocalStore;
  channel: DeviceChannel;
  /**
   * The token of an enrollment (a central device id; null: items written with no enrollment, sent
   * with the latest). `token(null)` undefined means the device is not enrolled at all; undefined
   * or `{ held }` for an enrollment holds its items.
   */
  token: (deviceId: string | null) => Credential;
  batchSize?: number;
  chunkBytes?: number;
  backoff?: BackoffOptions;
  /** How often to look for work when nobody nudges. */
  idleMs?: number;
  /** How often the open sessions' chain heads are reported (at most; default ANCHOR_EVERY_MS). */
  anchorEveryMs?: number;
  now?: () => number;
  random?: () => number;
  onStatus?: (status: SyncStatus) => void;
  /**
   * How often a running uploader queues the files refused for the storage quota again (default
   * 15 min): an administrator who raises the quota should not need the candidate to restart Vigil.
   * Each try costs one refused `blob_begin` per held file while the quota still stands.
   */
  quotaRetryMs?: number;
  /** Where a file the server refused is logged (with its code and reason). */
  logger?: { warn: (facts: Record<string, unknown>, message: string) => void };
}

function readState(store: LocalStore, key: string): string | null {
  return store.first(store.q.selectFrom('sync_state').select('value').where('key', '=', key))?.value ?? null;
}

function writeState(store: LocalStore, values: Record<string, string | null>): void {
  store.write('recording sync state', (tx) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === null) tx.run(tx.q.deleteFrom('sync_state').where('key', '=', key));
      else
        tx.run(
          tx.q
            .insertInto('sync_state')
            .values({ key, value })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value })),
        );
    }
  });
}

/** What the last round held back (kept in sync_state, so `vigil sync status` shows it too). */
export function storedHeld(store: LocalStore): HeldItems[] {
  const value = readState(store, 'held');
  return value ? (JSON.parse(value) as HeldItems[]) : [];
}

/** Status from the local database alone (also what `vigil sync status` prints). */
export function readSyncStatus(
  store: LocalStore,
  state: SyncStatus['state'] = 'idle',
  nextAttemptAt: string | null = null,
  held: HeldItems[] = storedHeld(store),
): SyncStatus {
  const outbox = outboxCounts(store);
  const blobs = blobCounts(store);
  return {
    state,
    ...outbox,
    ...blobs,
    // Items, then files (`file:<kind>`): both kept with the server's reason.
    rejected: [
      ...rejectedItems(store, 20),
      ...rejectedBlobs(store, 20).map(({ key, kind, reason }) => ({ key, kind, reason })),
    ],
    lastSuccessAt: readState(store, 'lastSuccessAt'),
    lastError: readState(store, 'lastError'),
    nextAttemptAt,
    held,
  };
}

/** Every enrollment with items or files pending, in the order its first item was queued. */
function pendingGroups(store: LocalStore): Omit<HeldItems, 'reason'>[] {
  const groups = new Map<string | null, Omit<HeldItems, 'reason'>>();
  for (const { deviceId, items } of pendingEnrollments(store))
    groups.set(deviceId, { deviceId, items, blobs: 0 });
  for (const { deviceId, blobs } of pendingBlobEnrollments(store)) {
    const group = groups.get(deviceId);
    if (group) group.blobs = blobs;
    else groups.set(deviceId, { deviceId, items: 0, blobs });
  }
  return [...groups.values()];
}

/** Default of UploaderOptions.quotaRetryMs. */
const QUOTA_RETRY_MS = 15 * 60_000;

export class Uploader {
  private running = false;
  private quotaRetriedAt = 0;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private failures = 0;
  private state: SyncStatus['state'] = 'idle';
  private nextAttemptAt: string | null = null;
  private held: HeldItems[] = [];
  private storedHeld: string | null | undefined;
  private readonly batchSize: number;
  /** When each enrollment last reported its open chain heads. */
  private readonly anchoredAt = new Map<string | null, number>();

  constructor(private readonly options: UploaderOptions) {
    this.batchSize = options.batchSize ?? 500;
  }

  status(): SyncStatus {
    return readSyncStatus(this.options.store, this.state, this.nextAttemptAt, this.held);
  }

  private emit(): void {
    this.options.onStatus?.(this.status());
  }

  /** Sends everything pending once. Throws a VigilError when the server cannot be reached or refuses. */
  async syncOnce(): Promise<SyncRound> {
    const { store } = this.options;
    const round: SyncRound = { sent: 0, applied: 0, duplicates: 0, rejected: 0, blobs: 0 };
    if (this.options.token(null) === undefined) {
      this.state = 'not_enrolled';
      this.emit();
      return round;
    }
    this.state = 'syncing';
    const held: HeldItems[] = [];
    let refusal: VigilError | undefined;
    let delivered = false;
    try {
      for (const group of pendingGroups(store)) {
        const credential = this.options.token(group.deviceId);
        if (typeof credential !== 'string') {
          held.push({
            ...group,
            reason:
              credential?.held ??
              'The enrollment this data belongs to is no longer on this device: it stays here, and is never sent with another enrollment.',
          });
          continue;
        }
        try {
          await this.sendOutbox(credential, group.deviceId, round);
          await this.sendBlobs(credential, group.deviceId, round);
          delivered = true;
        } catch (error) {
          // The server refused this enrollment's token (revoked, expired): hold its items, go on with the others.
          if (!(isVigilError(error) && error.code === 'FORBIDDEN' && error.details?.tokenRefused === true))
            throw error;
          refusal ??= error;
          held.push({ ...group, reason: error.message });
        }
      }
    } finally {
      this.held = held;
      const stored = held.length > 0 ? JSON.stringify(held) : null;
      if (stored !== this.storedHeld) writeState(store, { held: stored });
      this.storedHeld = stored;
    }
    if (refusal && !delivered) throw refusal;
    await this.anchorOpenChains();
    writeState(store, { lastSuccessAt: new Date().toISOString(), lastError: null });
    this.state = 'idle';
    this.emit();
    return round;
  }

  /**
   * Reports the chain heads of sessions in progress, after their events went up in this round, and
   * at most every anchorEveryMs per enrollment. An enrollment without a usable token reports none.
   */
  private async anchorOpenChains(): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    const every = this.options.anchorEveryMs ?? ANCHOR_EVERY_MS;
    for (const { deviceId, heads } of openChainHeads(this.options.store)) {
      if (now - (this.anchoredAt.get(deviceId) ?? -Infinity) < every) continue;
      const credential = this.options.token(deviceId);
      if (typeof credential !== 'string') continue;
      await this.options.channel.anchor(credential, heads);
      this.anchoredAt.set(deviceId, now);
    }
  }

  /** One enrollment's outbox rows, in order, with its token. */
  private async sendOutbox(token: string, enrollment: string | null, round: SyncRound): Promise<void> {
    // Pipelined: while the server works on batch N, the receipts of batch N-1 are recorded and
    // batch N+1 is read and parsed. Batches still go one at a time and in order (N+1 is sent only
    // after N's receipts arrived); a crash between the two only means N is resent (duplicates).
    let next = this.prepareBatch(0, enrollment);
    let answered: { batch: PendingRow[]; receipts: Receipt[] } | undefined;
    try {
      while (next) {
        const sending = next;
        const call = this.send(token, sending);
        call.catch(() => undefined); // awaited below; this only keeps a local failure from leaving it unhandled
        if (answered) this.recordReceipts(answered.batch, answered.receipts, round);
        answered = undefined;
        next = this.prepareBatch(sending.batch[sending.batch.length - 1]!.id, enrollment);
        const receipts = await call;
        answered = { batch: sending.batch, receipts };
        if (receipts.length < sending.batch.length) {
          throw new VigilError('INTERNAL', 'The central server returned fewer receipts than items sent.', {
            sent: sending.batch.length,
            receipts: receipts.length,
          });
        }
      }
    } finally {
      if (answered) this.recordReceipts(answered.batch, answered.receipts, round);
    }
  }

  /** One enrollment's pending files, with its token. */
  private async sendBlobs(token: string, enrollment: string | null, round: SyncRound): Promise<void> {
    const { store, channel } = this.options;
    for (;;) {
      const blobs = nextPendingBlobs(store, 20, enrollment);
      if (blobs.length === 0) break;
      for (const blob of blobs) {
        const receipt = await uploadBlob(
          store,
          channel,
          token,
          blob,
          this.options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
        );
        if (!receipt) this.logRefusal(blob.id);
        round.blobs++;
        this.emit();
      }
    }
  }

  /** The next batch after the given outbox id, parsed for sending; undefined when none is left. */
  private prepareBatch(
    afterId: number,
    enrollment: string | null,
  ): { batch: PendingRow[]; items: IngestItem[] } | undefined {
    const batch = pendingBatch(this.options.store, this.batchSize, undefined, afterId, enrollment);
    if (batch.length === 0) return undefined;
    const items: IngestItem[] = batch.map((r) => ({
      key: r.idempotency_key,
      kind: r.kind,
      payload: JSON.parse(r.payload) as unknown,
    }));
    return { batch, items };
  }

  // Attempts are counted with the answer (or the failure), not in a transaction of their own
  // before the call: that extra synchronous=FULL write per batch cost a fifth of the sync time.
  private async send(token: string, next: { batch: PendingRow[]; items: IngestItem[] }): Promise<Receipt[]> {
    try {
      return await this.options.channel.ingest(token, next.items);
    } catch (error) {
      try {
        this.options.store.write('counting a send attempt', (tx) =>
          noteAttempt(
            tx,
            next.batch.map((r) => r.id),
          ),
        );
      } catch {
        // The count is diagnostic; the send error is what the caller must see.
      }
      throw error;
    }
  }

  /** Applied or duplicate → deleted; rejected → kept with the reason; no receipt → stays pending. */
  private recordReceipts(batch: PendingRow[], receipts: Receipt[], round: SyncRound): void {
    const byKey = new Map(receipts.map((r) => [r.key, r]));
    this.options.store.write('recording receipts', (tx) => {
      const done: number[] = [];
      const kept: number[] = []; // still in the outbox: their attempt counts
      for (const row of batch) {
        const receipt = byKey.get(row.idempotency_key);
        if (!receipt) {
          kept.push(row.id); // no receipt: stays pending and goes again
          continue;
        }
        if (receipt.status === 'rejected') {
          reject(tx, row.id, receipt.reason ?? 'rejected by the server');
          kept.push(row.id);
          round.rejected++;
        } else {
          done.push(row.id);
          if (receipt.status === 'applied') round.applied++;
          else round.duplicates++;
        }
      }
      acknowledge(tx, done);
      noteAttempt(tx, kept);
    });
    round.sent += batch.length;
    this.emit();
  }

  private logRefusal(id: string): void {
    const row = this.options.store.first(
      this.options.store.q
        .selectFrom('blob_uploads')
        .select(['id', 'session_id', 'kind', 'size', 'status', 'reason', 'reason_code'])
        .where('id', '=', id),
    );
    if (row?.status !== 'rejected') return;
    this.options.logger?.warn(
      {
        blob: row.id,
        session: row.session_id,
        kind: row.kind,
        size: row.size,
        code: row.reason_code,
        reason: row.reason,
      },
      'the central server refused a file; it stays on this device',
    );
  }

  /**
   * Runs syncOnce in the background until stop(), backing off after failures. Files refused for the
   * exam's storage quota are queued again first: an administrator may have raised it meanwhile.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.retryQuotaRefusals();
    this.loopDone = this.loop();
  }

  private retryQuotaRefusals(): void {
    this.quotaRetriedAt = Date.now();
    retryQuotaRefusedBlobs(this.options.store);
  }

  /** New local writes: look now instead of at the next idle tick (never cuts a backoff short). */
  nudge(): void {
    if (this.failures === 0) this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let delay = this.options.idleMs ?? 5000;
      if (Date.now() - this.quotaRetriedAt >= (this.options.quotaRetryMs ?? QUOTA_RETRY_MS)) {
        this.retryQuotaRefusals();
      }
      try {
        await this.syncOnce();
        this.failures = 0;
        this.nextAttemptAt = null;
      } catch (error) {
        this.failures++;
        delay = backoffDelay(this.failures, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
        const refused =
          isVigilError(error) && error.code === 'FORBIDDEN' && error.details?.tokenRefused === true;
        this.state = refused ? 'refused' : 'offline';
        this.nextAttemptAt = new Date(Date.now() + delay).toISOString();
        writeState(this.options.store, { lastError: (error as Error).message });
        this.emit();
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
