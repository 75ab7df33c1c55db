// Bundles the Electron main process (ESM, node_modules left external so native modules and model
// files load from the packaged app) and the sandboxed preload (CommonJS, self-contained).
import { build } from 'esbuild';

await build({
  entryPoints: ['src-main/shell/main.ts'],
  outfile: 'dist/main/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

await build({
  entryPoints: ['src-preload/index.ts'],
  outfile: 'dist/preload/index.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'chrome120',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
});
