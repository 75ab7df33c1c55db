// A temp directory per test file, removed afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function makeTempDir(prefix = 'vigil-test-', parent = os.tmpdir()): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(parent, prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
