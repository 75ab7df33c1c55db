// Bundles the Electron main process (ESM, node_modules left external so native modules and model
// files load from the packaged app), its worker_threads (face analysis, upload parsing) next to it,
// and the sandboxed preloads (CommonJS, self-contained, one per window). `--out DIR` builds into DIR
// instead of dist/ (used by a test).
import path from 'node:path';
import { build } from 'esbuild';

const flag = process.argv.indexOf('--out');
const out = flag >= 0 && process.argv[flag + 1] ? process.argv[flag + 1] : 'dist';

await build({
  // Each worker is its own entry: startWorkerThread (src-main/config/worker-threads.ts, which lists
  // the same entries) starts `./<name>.js` next to the main bundle, so it must exist as a file there:
  // the face analyser and the parser of untrusted uploads (src-main/parsers/).
  entryPoints: {
    main: 'src-main/shell/main.ts',
    'analysis-worker': 'src-main/proctoring/analysis-worker.ts',
    'parser-worker': 'src-main/parsers/parser-worker.ts',
  },
  outdir: path.join(out, 'main'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

// One sandboxed preload per window (candidate.cjs, console.cjs), each exposing only its window's calls.
await build({
  entryPoints: {
    candidate: 'src-preload/candidate-preload.ts',
    console: 'src-preload/console-preload.ts',
  },
  outdir: path.join(out, 'preload'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'chrome120',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
});
