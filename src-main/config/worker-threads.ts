// The one way main starts its worker_threads. From the TypeScript sources (tests, `node bin/vigil.mjs`
// under tsx) this file's URL ends in .ts and the worker boots tsx before importing its .ts entry;
// from the bundle (Electron, scripts/build-main.mjs) this code is inside main.js and the worker is the
// `<name>.js` file esbuild emits next to it. Each entry here is also an entry of build-main.mjs.
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** Worker entry points, by bundle name, as paths under src-main/. */
export const WORKER_THREAD_ENTRIES = {
  'analysis-worker': 'proctoring/analysis-worker.ts',
  'parser-worker': 'parsers/parser-worker.ts',
} as const;
export type WorkerThreadName = keyof typeof WORKER_THREAD_ENTRIES;

export interface WorkerThreadOptions {
  resourceLimits?: ResourceLimits;
  workerData?: unknown;
}

export function startWorkerThread(name: WorkerThreadName, options: WorkerThreadOptions = {}): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL(`../${WORKER_THREAD_ENTRIES[name]}`, here).href;
    const boot =
      `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })` +
      `.catch((e) => { console.error(e); process.exit(1); });`;
    return new Worker(boot, { ...options, eval: true });
  }
  // Bundled build: scripts/build-main.mjs emits `<name>.js` next to the main bundle.
  return new Worker(new URL(`./${name}.js`, here), options);
}
