// The bundled main build (scripts/build-main.mjs) ships each worker_thread (face analysis, upload
// parsing) as its own file next to main.js, where startWorkerThread looks for it at run time, and
// each file starts as a worker: the analyser loads the shipped models, the parsers read a PDF, a
// DOCX and a photo, and refuse a zip bomb and a 100-megapixel image. Built into a throwaway folder inside the repo so that the bundle's
// external packages resolve from node_modules exactly as they do from dist/.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { FromParser } from '../../../src-main/parsers/protocol';
import type { FromWorker } from '../../../src-main/proctoring/worker-protocol';
import { makeDocx, makeDocxBomb, makePdf } from '../../support/document-fixtures';

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
  it('emits the workers next to main.js, and main.js starts them from there', async () => {
    const main = path.join(out, 'main', 'main.js');
    expect(existsSync(main)).toBe(true);
    expect(existsSync(path.join(out, 'main', 'analysis-worker.js'))).toBe(true);
    expect(existsSync(path.join(out, 'main', 'parser-worker.js'))).toBe(true);
    expect(existsSync(path.join(out, 'preload', 'candidate.cjs'))).toBe(true);
    expect(existsSync(path.join(out, 'preload', 'console.cjs'))).toBe(true);
    // The bundled startWorkerThread resolves `./<name>.js` relative to the bundle (its .ts branch
    // only runs from sources under tsx, where import.meta.url ends in .ts).
    const source = await readFile(main, 'utf8');
    expect(source).toContain('new URL(`./${name}.js`, here)');
    expect(source).toContain('"parser-worker"');
    expect(source).toContain('"analysis-worker"');
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

  it(
    'the bundled parser worker reads documents and images, and refuses hostile ones',
    { timeout: 120_000 },
    async () => {
      const url = new URL('./parser-worker.js', new URL(`file://${path.join(out, 'main', 'main.js')}`));
      const start = async (kind: 'document' | 'image') => {
        const worker = new Worker(url, {
          workerData: { kind },
          resourceLimits: { maxOldGenerationSizeMb: 256 },
        });
        const first = await nextMessage(worker);
        expect(first).toEqual({ type: 'ready' });
        return worker;
      };
      const nextMessage = (worker: Worker) =>
        new Promise<FromParser>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
        });
      const textOf = (message: FromParser) =>
        message.type === 'done' && message.result.kind === 'document' ? message.result.text : message;
      const documents = await start('document');
      try {
        documents.postMessage({
          type: 'parse',
          id: 1,
          job: {
            kind: 'document',
            format: 'pdf',
            fileName: 'a.pdf',
            bytes: await makePdf(['Bundled PDF text.']),
          },
        });
        expect(textOf(await nextMessage(documents))).toContain('Bundled PDF text.');
        documents.postMessage({
          type: 'parse',
          id: 2,
          job: {
            kind: 'document',
            format: 'docx',
            fileName: 'a.docx',
            bytes: await makeDocx(['Bundled DOCX text.']),
          },
        });
        expect(textOf(await nextMessage(documents))).toContain('Bundled DOCX text.');
        // A bomb whose directory lies reaches the parser (main's directory check is skipped): typed.
        documents.postMessage({
          type: 'parse',
          id: 3,
          job: {
            kind: 'document',
            format: 'docx',
            fileName: 'b.docx',
            bytes: makeDocxBomb(20, { declaredSize: 10 }),
          },
        });
        expect(await nextMessage(documents)).toMatchObject({
          type: 'failed',
          id: 3,
          error: { code: 'INVALID_DOCUMENT' },
        });
      } finally {
        await documents.terminate();
      }
      const images = await start('image');
      try {
        const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
          .png()
          .toBuffer();
        images.postMessage({
          type: 'parse',
          id: 1,
          job: { kind: 'image', name: 'p.png', bytes: photo, maxSide: 1280, maxPixels: 40_000_000 },
        });
        expect(await nextMessage(images)).toMatchObject({
          type: 'done',
          id: 1,
          result: { kind: 'image', pixels: { width: 64, height: 48, channels: 3 } },
        });
        const huge = await sharp({
          create: { width: 10_000, height: 10_000, channels: 3, background: '#000000' },
          limitInputPixels: false,
        })
          .png()
          .toBuffer();
        images.postMessage({
          type: 'parse',
          id: 2,
          job: { kind: 'image', name: 'huge.png', bytes: huge, maxSide: 1280, maxPixels: 40_000_000 },
        });
        expect(await nextMessage(images)).toMatchObject({
          type: 'failed',
          id: 2,
          error: { code: 'INVALID_DOCUMENT', details: { problem: 'too_many_pixels' } },
        });
      } finally {
        await images.terminate();
      }
    },
  );
});
