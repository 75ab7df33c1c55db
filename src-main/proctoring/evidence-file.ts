// Evidence images (warning snapshots, the ID card) are written durably before SQLite refers to
// them: a row must never point at a file a power cut could still take away.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface EvidenceFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** Writes `bytes` to `<dir>/<name>` (mode 0600), fsyncs the file and, where the OS allows, its folder. */
export function writeEvidenceFile(dir: string, name: string, bytes: Uint8Array): EvidenceFile {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  syncFolder(dir);
  return { path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

/** The new name is durable only once its folder is synced; Windows cannot open folders, so skip there. */
function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
