// `npm run bench [name…]`: runs every benchmark in tests/bench/ (or the named ones) one after the
// other, each in its own process so they do not disturb each other's figures.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const wanted = process.argv.slice(2);
const files = fs
  .readdirSync('tests/bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n== ${file}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', `tests/bench/${file}`], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
