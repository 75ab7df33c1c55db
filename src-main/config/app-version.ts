// The app's own version, from package.json (shipped next to the bundles). A domain-level module so
// the candidate session, the CLI and the demo can read it without importing the composition root.
import { readFileSync } from 'node:fs';

export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
