// The bundled main build (scripts/build-main.mjs) ships the face-analysis worker as its own file
// next to main.js, where FaceAnalyzer looks for it at run time, and that file starts as a worker
// and loads the shipped models. Built into a throwaway folder inside the repo so that the bundle's
// external packages resolve from node_modules exactly as they do from dist/.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromWorker } from '../../../src-main/proctoring/worker-protocol';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(ROOT, '.tmp-build-'));
  await run(process.execPath, ['scripts/build-main.mjs', '--out', out], { cwd: ROOT });
}, 120_000);
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('bundled main build', () => {
  it('emits the analysis worker next to main.js, and main.js starts it from there', async () => {
    const main = path.join(out, 'main', 'main.js');
    expect(existsSync(main)).toBe(true);
    expect(existsSync(path.join(out, 'main', 'analysis-worker.js'))).toBe(true);
    expect(existsSync(path.join(out, 'preload', 'candidate.cjs'))).toBe(true);
    expect(existsSync(path.join(out, 'preload', 'console.cjs'))).toBe(true);
    // The bundled FaceAnalyzer resolves the worker relative to the bundle (its .ts branch only runs
    // from sources under tsx, where import.meta.url ends in .ts).
    const source = await readFile(main, 'utf8');
    expect(source).toContain('new URL("./analysis-worker.js", here)');
  });

  it('the bundled worker starts and loads the shipped models', { timeout: 120_000 }, async () => {
    // The same URL the bundled main computes: ./analysis-worker.js relative to main.js.
    const url = new URL('./analysis-worker.js', new URL(`file://${path.join(out, 'main', 'main.js')}`));
    const worker = new Worker(url);
    try {
      const first = await new Promise<FromWorker>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      });
      expect(first).toMatchObject({ type: 'ready', versions: { backend: 'wasm', human: '3.3.6' } });
      worker.postMessage({ type: 'stats', id: 1 });
      const stats = await new Promise<FromWorker>((resolve) => worker.once('message', resolve));
      expect(stats).toMatchObject({ type: 'stats', id: 1, stats: { networkAttempts: [] } });
    } finally {
      await worker.terminate();
    }
  });
});
