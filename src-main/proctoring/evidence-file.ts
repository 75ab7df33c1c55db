// Evidence images (warning snapshots, the ID card) are written durably before SQLite refers to
// them: a row must never point at a file a power cut could still take away.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { syncFolder, writeFileDurably } from '../store/durable-file';

export interface EvidenceFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** Writes `bytes` to `<dir>/<name>` (mode 0600), fsyncs the file and, where the OS allows, its folder. */
export function writeEvidenceFile(dir: string, name: string, bytes: Uint8Array): EvidenceFile {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileDurably(file, bytes);
  syncFolder(dir);
  return { path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}
