// The disk boundary of the recorder: free space, durable positional writes, truncation. Kept behind
// an interface so fault tests can inject failures (ENOSPC, EIO) exactly where the disk would raise them.
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

export interface DiskIo {
  freeBytes(dir: string): Promise<number>;
  /** Writes all of `bytes` at `offset` and returns only once they are on stable storage. */
  writeDurably(handle: FileHandle, bytes: Uint8Array, offset: number): Promise<void>;
}

export const realDiskIo: DiskIo = {
  async freeBytes(dir) {
    const stats = await fs.promises.statfs(dir);
    return stats.bavail * stats.bsize;
  },
  async writeDurably(handle, bytes, offset) {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, offset + done);
      done += bytesWritten;
    }
    // fdatasync also flushes the new file length, which is all an append needs to survive power loss.
    await handle.datasync();
  },
};

/** Makes a new directory entry durable (a new segment file survives a crash right after creation). */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
