// Packing file-list check (not an installer build): electron-builder's own packager computes what
// would go into app.asar and what would be unpacked, and that must match the expected manifest.
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkFileList, type PackingManifest } from '../../../src-main/release/file-list-check';
import { manifestPath, runPackingCheck, type PackingReport } from '../../../src-main/release/packing-report';

const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as PackingManifest;
const target = { platform: process.platform, arch: process.arch };
let report: PackingReport;

beforeAll(async () => {
  report = await runPackingCheck(process.cwd(), manifest);
  fs.mkdirSync('test-artifacts/packing', { recursive: true });
  fs.writeFileSync('test-artifacts/packing/file-list.json', JSON.stringify(report.entries, null, 1));
  // ~25 s on an idle 2-core machine; generous because electron-builder walks every production file.
}, 300_000);

describe('packing file-list check', () => {
  it('matches the expected manifest (update: node scripts/check-packing.mjs --update)', () => {
    expect(report.problems).toEqual([]);
  });

  it('packs the built app and production modules, and unpacks native code, binaries, wasm and models', () => {
    const paths = new Set(report.entries.map((e) => e.path));
    expect(paths.has('dist/main/main.js')).toBe(true);
    expect(paths.has('dist/preload/candidate.cjs')).toBe(true);
    expect(paths.has('dist/preload/console.cjs')).toBe(true);
    expect(paths.has('dist/main/main.js.map')).toBe(false);
    // The workers sit next to main.js inside the asar, like main.js (Electron loads worker_threads
    // from it), so their imports resolve from the asar's node_modules; sharp's native code is unpacked.
    for (const worker of ['dist/main/analysis-worker.js', 'dist/main/parser-worker.js'])
      expect(report.entries.find((e) => e.path === worker)).toMatchObject({ unpacked: false });
    const unpacked = report.entries.filter((e) => e.unpacked).map((e) => e.path);
    expect(unpacked).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(
      unpacked.filter((p) => p.startsWith('node_modules/@vladmandic/human/models/')).length,
    ).toBeGreaterThan(10);
    expect(report.summary.packages).not.toContain('react');
    expect(report.summary.packages).toContain('@vladmandic/human');
  });

  it('reports a file that must be unpacked but is packed, a missing package and a forbidden file', () => {
    const tampered = report.entries.map((e) =>
      e.path === 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'
        ? { ...e, unpacked: false }
        : e,
    );
    tampered.push({ path: 'src-main/app/boot.ts', unpacked: false, size: 1 });
    const problems = checkFileList(
      tampered.filter((e) => !e.path.startsWith('node_modules/kysely/')),
      manifest,
      target,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'must be unpacked but is inside the asar: node_modules/better-sqlite3/build/Release/better_sqlite3.node',
        'unexpected app file packed: src-main/app/boot.ts',
        'forbidden file packed: src-main/app/boot.ts',
        'expected package missing: kysely',
      ]),
    );
  });
});
