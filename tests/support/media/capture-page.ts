// Builds the capture test page (tests/e2e/media/page) with esbuild into a folder the headless host
// can serve as its renderer, so the page runs src-renderer/capture over the real contract.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

export async function buildCapturePage(outDir: string): Promise<string> {
  fs.mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.resolve('tests/e2e/media/page/record-page.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    outfile: path.join(outDir, 'record-page.js'),
    logLevel: 'error',
  });
  fs.copyFileSync(path.resolve('tests/e2e/media/page/index.html'), path.join(outDir, 'index.html'));
  return outDir;
}
