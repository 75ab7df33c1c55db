// Sets the staged-rollout share of a release on the update server's folder:
//   node scripts/stage-rollout.mjs /srv/vigil-updates 20     (20 % of installations)
//   node scripts/stage-rollout.mjs /srv/vigil-updates 100    (everyone)
// Edits every latest*.yml in the folder (one per OS) in place.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { setStagingPercentage } = await import('../src-main/release/staged-rollout.ts');
const [dir, percentText] = process.argv.slice(2);
if (!dir || percentText === undefined) {
  console.error('usage: node scripts/stage-rollout.mjs <update-folder> <percent 0-100>');
  process.exit(2);
}
const files = readdirSync(dir).filter((name) => /^latest.*\.yml$/.test(name));
if (files.length === 0) {
  console.error(`no latest*.yml in ${dir}`);
  process.exit(1);
}
for (const name of files) {
  const file = path.join(dir, name);
  writeFileSync(file, setStagingPercentage(readFileSync(file, 'utf8'), Number(percentText)));
  console.log(`${name}: staged to ${percentText} %`);
}
