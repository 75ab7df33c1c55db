// Staged rollout on a generic update server: electron-updater offers a release only to the share of
// installations given by `stagingPercentage` in latest.yml / latest-mac.yml / latest-linux.yml
// (each installation draws a stable random id once). Raising it widens the rollout; removing the
// line offers the release to everyone. Used by scripts/stage-rollout.mjs on the update folder.
export function setStagingPercentage(latestYml: string, percent: number | null): string {
  if (percent !== null && (!Number.isInteger(percent) || percent < 0 || percent > 100))
    throw new Error('the staging percentage must be a whole number from 0 to 100');
  const lines = latestYml.replace(/\s+$/, '').split('\n');
  if (!lines.some((line) => /^version:\s*\S/.test(line)))
    throw new Error('this is not an electron-builder update file (no top-level version:)');
  const kept = lines.filter((line) => !/^stagingPercentage:/.test(line));
  if (percent !== null && percent < 100) kept.push(`stagingPercentage: ${percent}`);
  return kept.join('\n') + '\n';
}

export function stagingPercentageOf(latestYml: string): number | null {
  const match = /^stagingPercentage:\s*(\d+)\s*$/m.exec(latestYml);
  return match ? Number(match[1]) : null;
}
