// Smoke test of the desktop app under the real Electron runtime, driven by Playwright's Electron
// support: the app built from this checkout (`npm run build`) started with `electron .`. Playwright
// attaches through --inspect and --remote-debugging-port, which the installed app's fuses refuse by
// design (scripts/electron-fuses.cjs), so the installed binaries get installed.electron.ts instead.
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as NodeUrl from 'node:url';
import type * as WorkerThreads from 'node:worker_threads';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowCallNames } from '../../src-preload/contract-windows';
import { makeTempDir } from '../support/temp-dir';

const ROOT = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const data = makeTempDir('vigil-electron-');
let app: ElectronApplication;
let page: Page;

beforeAll(async () => {
  app = await electron.launch({
    executablePath: require('electron') as string,
    args: [ROOT],
    cwd: ROOT,
    // A fresh per-user data folder (paths.ts: APPDATA on Windows, HOME on macOS, XDG on Linux).
    env: { ...process.env, HOME: data.dir, APPDATA: data.dir, XDG_CONFIG_HOME: data.dir },
  });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});
afterAll(async () => {
  await app?.close();
  data.cleanup();
});

describe('desktop app under Electron', () => {
  it('opens one candidate window: sandboxed, context-isolated, no Node in the page', async () => {
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    // The OS-level sandbox of each renderer process (reported on Windows and macOS).
    const renderers = await app.evaluate(({ app: electronApp }) =>
      electronApp
        .getAppMetrics()
        .filter((metric) => metric.type === 'Tab')
        .map((metric) => metric.sandboxed),
    );
    expect(renderers.length).toBeGreaterThan(0);
    if (process.platform !== 'linux') expect(renderers.every((sandboxed) => sandboxed === true)).toBe(true);
    // No Node in the page; window.vigil exists only because contextBridge ran, which refuses to
    // without context isolation; and its functions are bridged, not the preload's own.
    const page_ = await page.evaluate(() => {
      const scope = globalThis as unknown as {
        process?: unknown;
        require?: unknown;
        vigil?: { ping?: unknown };
      };
      return {
        process: typeof scope.process,
        require: typeof scope.require,
        bridged: String(scope.vigil?.ping).includes('[native code]'),
      };
    });
    expect(page_).toEqual({ process: 'undefined', require: 'undefined', bridged: true });
  });

  it('window.vigil has exactly the candidate calls', async () => {
    const keys = await page.evaluate(() => {
      const api = (globalThis as unknown as { vigil: Record<string, unknown> }).vigil;
      return Object.keys(api).filter((key) => typeof api[key] === 'function' && key !== 'on');
    });
    expect(keys.sort()).toEqual([...windowCallNames('candidate')].sort());
  });

  it('renders the candidate screens: enrollment first, then About in desktop mode', async () => {
    await page.getByTestId('screen-enroll').waitFor();
    await expect(page.getByLabel('Enrollment code').isVisible()).resolves.toBe(true);
    await page.evaluate(() => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = '#/about';
    });
    await page
      .getByText(/desktop app/)
      .first()
      .waitFor();
  });

  it('the analysis worker, started from the bundle as the app starts it, answers a frame', async () => {
    const answer = await app.evaluate(async ({ app: electronApp }) => {
      // The main process is an ES module: built-ins come from getBuiltinModule, not require.
      const node = process as unknown as { getBuiltinModule: (id: string) => unknown };
      const { Worker } = node.getBuiltinModule('node:worker_threads') as typeof WorkerThreads;
      const { pathToFileURL } = node.getBuiltinModule('node:url') as typeof NodeUrl;
      const file = `${electronApp.getAppPath()}/dist/main/analysis-worker.js`;
      const worker = new Worker(pathToFileURL(file));
      try {
        const next = () =>
          new Promise<{ type: string; observation?: { faces?: unknown[] } }>((resolve, reject) => {
            worker.once('message', resolve);
            worker.once('error', reject);
          });
        const ready = await next();
        if (ready.type !== 'ready') return ready;
        const frame = {
          width: 64,
          height: 48,
          channels: 3,
          data: new Uint8Array(64 * 48 * 3).fill(128),
          timestampMs: 0,
        };
        worker.postMessage({ type: 'analyze', id: 1, frame, options: { gaze: false, embedding: false } });
        return await next();
      } finally {
        await worker.terminate();
      }
    });
    expect(answer).toMatchObject({ type: 'result', observation: { faces: [] } });
  });

  it('the parser worker, started from the bundle as the app starts it, reads an image', async () => {
    const answer = await app.evaluate(async ({ app: electronApp }) => {
      const node = process as unknown as { getBuiltinModule: (id: string) => unknown };
      const { Worker } = node.getBuiltinModule('node:worker_threads') as typeof WorkerThreads;
      const { pathToFileURL } = node.getBuiltinModule('node:url') as typeof NodeUrl;
      const file = `${electronApp.getAppPath()}/dist/main/parser-worker.js`;
      const worker = new Worker(pathToFileURL(file), { workerData: { kind: 'image' } });
      try {
        const next = () =>
          new Promise<{ type: string; result?: unknown }>((resolve, reject) => {
            worker.once('message', resolve);
            worker.once('error', reject);
          });
        const ready = await next();
        if (ready.type !== 'ready') return ready;
        // A 1 × 1 PNG.
        const png = Uint8Array.from(
          atob(
            'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC',
          ),
          (c) => c.charCodeAt(0),
        );
        worker.postMessage({
          type: 'parse',
          id: 1,
          job: { kind: 'image', name: 'dot.png', bytes: png, maxSide: 1280, maxPixels: 40_000_000 },
        });
        return await next();
      } finally {
        await worker.terminate();
      }
    });
    expect(answer).toMatchObject({
      type: 'done',
      result: { kind: 'image', pixels: { width: 1, height: 1 } },
    });
  });
});
