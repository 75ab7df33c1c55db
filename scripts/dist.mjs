// Builds signed installers: `node scripts/dist.mjs [--win|--mac|--linux] [--publish always]`.
// Everything secret or site-specific comes from the environment (see README, "IT deployment"):
// electron-builder reads certificates and Apple credentials itself; this adds Azure Trusted
// Signing, the update URL and the trusted policy keys, then runs electron-builder.
import { writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { releaseOverrides } = await import('../src-main/release/build-overrides.ts');
const { config, notes } = releaseOverrides(process.env);
for (const note of notes) console.log(`dist: ${note}`);

// Trusted policy keys are baked into the app (inside the asar) so a candidate cannot swap them.
if (process.env.VIGIL_POLICY_PUBLIC_KEYS) {
  const publicKeys = process.env.VIGIL_POLICY_PUBLIC_KEYS.split(/\s*;\s*/).filter(Boolean);
  const requireSignedPolicy = process.env.VIGIL_REQUIRE_SIGNED_POLICY === '1';
  writeFileSync(
    new URL('../resources/policy-trust.json', import.meta.url),
    JSON.stringify({ publicKeys, requireSignedPolicy }, null, 2) + '\n',
  );
  console.log(
    `dist: ${publicKeys.length} trusted policy key(s), signatures required: ${requireSignedPolicy}`,
  );
}

const args = process.argv.slice(2);
const platforms = { '--win': 'WINDOWS', '--mac': 'MAC', '--linux': 'LINUX' };
const { build, Platform } = await import('electron-builder');
const chosen = args.filter((a) => a in platforms).map((a) => Platform[platforms[a]]);
const publishAt = args.indexOf('--publish');
await build({
  targets: (chosen.length > 0 ? chosen : [Platform.current()]).reduce(
    (map, platform) => new Map([...map, ...platform.createTarget()]),
    new Map(),
  ),
  config,
  publish: publishAt >= 0 ? args[publishAt + 1] : 'never',
});
