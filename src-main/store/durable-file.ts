// Durable file writes for what SQLite will point at (evidence images, receipts): the bytes are
// fsync'd before the call returns, and a new name becomes durable once its folder is synced.
import fs from 'node:fs';

/** Writes `bytes` to `file` with the given mode and fsyncs it before returning. */
export function writeFileDurably(file: string, bytes: Uint8Array | string, mode = 0o600): void {
  const fd = fs.openSync(file, 'w', mode);
  try {
    fs.writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Syncs a folder so a file just created or renamed in it survives a power cut; Windows cannot open folders. */
export function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
