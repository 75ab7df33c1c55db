// Files waiting to go up to the central server (snapshots, ID image, video, PDF). The row is the
// upload's memory across restarts; the bytes stay in their file until a receipt says they arrived.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Tx } from './local-store';
import type { BlobKind } from './schema';

export interface BlobRegistration {
  id: string;
  sessionId: string;
  kind: BlobKind;
  path: string;
  sha256: string;
  size: number;
  contentType: string;
  /** Delete the local file once the server's receipt arrives (retention allows it). */
  deleteAfterUpload: boolean;
}

export function registerBlob(tx: Tx, blob: BlobRegistration): void {
  tx.run(
    tx.q
      .insertInto('blob_uploads')
      .values({
        id: blob.id,
        session_id: blob.sessionId,
        kind: blob.kind,
        path: blob.path,
        sha256: blob.sha256,
        size: blob.size,
        content_type: blob.contentType,
        delete_after_upload: blob.deleteAfterUpload ? 1 : 0,
        created_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.column('id').doNothing()),
  );
}

export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

export function blobCounts(tx: Tx): {
  pendingBlobs: number;
  pendingBlobBytes: number;
  rejectedBlobs: number;
} {
  const rows = tx.all(
    tx.q
      .selectFrom('blob_uploads')
      .select((eb) => [
        'status',
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>(eb('size', '-', eb.ref('uploaded_bytes'))).as('bytes'),
      ])
      .groupBy('status'),
  );
  const pending = rows.find((r) => r.status === 'pending');
  return {
    pendingBlobs: Number(pending?.n ?? 0),
    pendingBlobBytes: Number(pending?.bytes ?? 0),
    rejectedBlobs: Number(rows.find((r) => r.status === 'rejected')?.n ?? 0),
  };
}
