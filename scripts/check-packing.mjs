// Packing file-list check from the command line: lists what electron-builder would put into app.asar
// and what it would unpack, compares it with tests/fixtures/release/packing-manifest.json, and
// writes the full list to test-artifacts/packing/file-list.json. `--update` rewrites the manifest's
// package list from the current production dependencies (review the diff).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { runPackingCheck, packagesForManifest, manifestPath } =
  await import('../src-main/release/packing-report.ts');
const report = await runPackingCheck(process.cwd());
mkdirSync('test-artifacts/packing', { recursive: true });
writeFileSync('test-artifacts/packing/file-list.json', JSON.stringify(report.entries, null, 1));
const mb = (bytes) => (bytes / 1e6).toFixed(1);
const s = report.summary;
console.log(
  `files ${s.files} (packed ${s.packedFiles}, ${mb(s.packedBytes)} MB; unpacked ${s.unpackedFiles}, ${mb(s.unpackedBytes)} MB), packages ${s.packages.length}`,
);
if (process.argv.includes('--update')) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.packages = packagesForManifest(s);
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`updated ${manifestPath}; run prettier on it and review the diff`);
}
for (const problem of report.problems) console.log(`problem: ${problem}`);
process.exitCode = report.problems.length > 0 && !process.argv.includes('--update') ? 1 : 0;
