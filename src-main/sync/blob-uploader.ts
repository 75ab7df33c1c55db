// Chunked, resumable blob upload. Asks the server where it stands (blob_begin), sends the rest in
// chunks (about 1 MiB) each with its sha256, resends a chunk the server refused as corrupted, jumps
// to the server's offset when told the offset is wrong, and only after finish returns a receipt
// marks the upload done and, if retention allows, deletes the local file.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { BlobReceipt, DeviceChannel } from '../central/device-channel';
import { VigilError, isVigilError } from '../errors';
import { hashFile } from '../store/blob-uploads';
import type { LocalStore } from '../store/local-store';
import type { BlobUploadsTable } from '../store/schema';

export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
const MAX_CHUNK_RETRIES = 5;
const PROGRESS_EVERY_BYTES = 16 * 1024 * 1024;

type BlobRow = Pick<
  BlobUploadsTable,
  'id' | 'session_id' | 'kind' | 'path' | 'sha256' | 'size' | 'content_type'
> & {
  delete_after_upload: number;
};

/**
 * Pending uploads in order; with `enrollment` (a central device id, or null for files of a session
 * with none) only the files of the sessions started under it, which go with its token.
 */
export function nextPendingBlobs(store: LocalStore, limit = 20, enrollment?: string | null): BlobRow[] {
  let query = store.q
    .selectFrom('blob_uploads as b')
    .leftJoin('sessions as s', 's.id', 'b.session_id')
    .select([
      'b.id',
      'b.session_id',
      'b.kind',
      'b.path',
      'b.sha256',
      'b.size',
      'b.content_type',
      'b.delete_after_upload',
    ])
    .where('b.status', '=', 'pending');
  if (enrollment !== undefined)
    query = query.where('s.device_id', enrollment === null ? 'is' : '=', enrollment);
  return store.all(query.orderBy('b.created_at').orderBy('b.id').limit(limit));
}

/** The enrollments with files pending (null: files of no session with one), with how many each has. */
export function pendingBlobEnrollments(store: LocalStore): { deviceId: string | null; blobs: number }[] {
  return store
    .all(
      store.q
        .selectFrom('blob_uploads as b')
        .leftJoin('sessions as s', 's.id', 'b.session_id')
        .select((eb) => ['s.device_id', eb.fn.countAll<number>().as('n')])
        .where('b.status', '=', 'pending')
        .groupBy('s.device_id'),
    )
    .map((r) => ({ deviceId: r.device_id, blobs: Number(r.n) }));
}

/**
 * The server refused this one upload (bad metadata, not this device's session, larger than the
 * server's configured limit, over the exam's storage quota): not the token. The file stays on the
 * device with the reason, and the files behind it keep going.
 */
function isItemRefusal(error: unknown): error is VigilError {
  return (
    isVigilError(error) &&
    (error.code === 'BAD_REQUEST' ||
      error.code === 'PAYLOAD_TOO_LARGE' ||
      error.code === 'QUOTA_EXCEEDED' ||
      (error.code === 'FORBIDDEN' && error.details?.tokenRefused !== true))
  );
}

function markRejected(store: LocalStore, id: string, reason: string, code: string | null = null): void {
  store.write('recording a refused upload', (tx) =>
    tx.run(
      tx.q
        .updateTable('blob_uploads')
        .set({ status: 'rejected', reason, reason_code: code })
        .where('id', '=', id),
    ),
  );
}

/**
 * Files the server refused for its storage quota go back in the queue: the quota is the exam's and
 * an administrator may have raised it since (central 0520). Nothing else the server refused is sent
 * again. Returns how many. Called by `vigil sync retry` and at every start of the uploader; a
 * quota still used up refuses them again at blob_begin, before a byte is sent.
 */
export function retryQuotaRefusedBlobs(store: LocalStore): number {
  return store.write(
    'queueing files refused for their quota again',
    (tx) =>
      tx.run(
        tx.q
          .updateTable('blob_uploads')
          .set({ status: 'pending', reason: null, reason_code: null })
          .where('status', '=', 'rejected')
          .where('reason_code', '=', 'QUOTA_EXCEEDED'),
      ).changes,
  );
}

/** Files the server refused, with its reason (they never block the queue). */
export function rejectedBlobs(
  store: LocalStore,
  limit = 20,
): { key: string; kind: string; reason: string; code: string | null }[] {
  return store
    .all(
      store.q
        .selectFrom('blob_uploads')
        .select(['id', 'kind', 'reason', 'reason_code'])
        .where('status', '=', 'rejected')
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit),
    )
    .map((r) => ({ key: r.id, kind: `file:${r.kind}`, reason: r.reason ?? '', code: r.reason_code }));
}

export async function uploadBlob(
  store: LocalStore,
  channel: DeviceChannel,
  token: string,
  row: BlobRow,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): Promise<BlobReceipt | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(row.path, 'r');
  } catch {
    markRejected(store, row.id, `local file ${row.path} is missing`);
    return undefined;
  }
  try {
    const meta = {
      id: row.id,
      sessionId: row.session_id,
      kind: row.kind,
      sha256: row.sha256,
      size: row.size,
      contentType: row.content_type,
    };
    let begun: { offset: number; status: string };
    try {
      begun = await channel.blobBegin(token, meta);
    } catch (error) {
      if (isItemRefusal(error)) {
        markRejected(store, row.id, error.message, error.code);
        return undefined;
      }
      throw error;
    }
    let offset = begun.offset;
    let recorded = offset;
    let restarts = 0;
    // Two buffers: while the server stores one chunk, the next is read and hashed into the other
    // (a buffer is only reused after the call that sent it returned).
    const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
    let spare = 0;
    const readChunk = async (at: number): Promise<{ at: number; chunk: Buffer; sha256: string }> => {
      const length = Math.min(chunkBytes, row.size - at);
      const buffer = buffers[spare]!;
      spare ^= 1;
      const { bytesRead } = await handle.read(buffer, 0, length, at);
      if (bytesRead !== length)
        throw new VigilError('INTEGRITY', `${row.path} is shorter than when it was recorded.`);
      const chunk = buffer.subarray(0, length);
      return { at, chunk, sha256: createHash('sha256').update(chunk).digest('hex') };
    };
    for (;;) {
      let retries = 0;
      let next: Promise<{ at: number; chunk: Buffer; sha256: string }> | undefined;
      while (offset < row.size) {
        // The read-ahead is only used if the server moved to where it was read from.
        const ahead = next ? await next : undefined;
        next = undefined;
        const { chunk, sha256 } = ahead && ahead.at === offset ? ahead : await readChunk(offset);
        const sending = offset;
        const call = channel.blobChunk(token, row.id, sending, chunk, sha256);
        if (sending + chunk.length < row.size) {
          next = readChunk(sending + chunk.length);
          next.catch(() => undefined); // awaited on the next turn, or dropped if the offset moved
        }
        try {
          offset = (await call).offset;
          retries = 0;
        } catch (error) {
          if (!isVigilError(error)) throw error;
          if (error.code === 'CONFLICT' && typeof error.details?.serverOffset === 'number') {
            offset = error.details.serverOffset; // resume where the server actually is
            continue;
          }
          if (error.code === 'INTEGRITY' && ++retries <= MAX_CHUNK_RETRIES) {
            if (next) await next.catch(() => undefined); // let it finish before its buffer is reused
            next = undefined;
            continue; // corrupted in transit: resend
          }
          throw error;
        }
        // Progress is informational (resume asks the server), so it is committed every 16 MiB only.
        if (offset - recorded >= PROGRESS_EVERY_BYTES) {
          recorded = offset;
          store.write('recording upload progress', (tx) =>
            tx.run(tx.q.updateTable('blob_uploads').set({ uploaded_bytes: offset }).where('id', '=', row.id)),
          );
        }
      }
      try {
        const receipt = await channel.blobFinish(token, row.id);
        store.write('recording an upload receipt', (tx) =>
          tx.run(
            tx.q
              .updateTable('blob_uploads')
              .set({
                status: 'done',
                receipt: JSON.stringify(receipt),
                completed_at: new Date().toISOString(),
                uploaded_bytes: row.size,
              })
              .where('id', '=', row.id),
          ),
        );
        // Only now, with the receipt committed locally, may the file go (if retention says so).
        if (row.delete_after_upload === 1) await fs.rm(row.path, { force: true });
        return receipt;
      } catch (error) {
        if (!isVigilError(error) || error.code !== 'INTEGRITY' || restarts++ > 0) throw error;
        // The server's copy did not add up: if our file still matches what was recorded, send again.
        const local = await hashFile(row.path);
        if (local.sha256 !== row.sha256 || local.size !== row.size) {
          markRejected(store, row.id, `local file ${row.path} changed after it was recorded`);
          return undefined;
        }
        offset = 0;
      }
    }
  } finally {
    await handle.close();
  }
}
