import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../support/app';
import { runVigil } from '../../support/cli';

let dir: string | undefined;
afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

describe('vigil command line', () => {
  it('prints help listing its commands', () => {
    const run = runVigil(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Usage: vigil/);
    for (const command of ['host', 'demo', 'config']) expect(run.stdout).toContain(command);
  });

  it('shows where each setting came from and fails on a malformed policy', () => {
    dir = makeTempDir('vigil-config-cli-');
    const policy = path.join(dir, 'policy.json');
    fs.writeFileSync(
      policy,
      JSON.stringify({ report: { pageSize: 'Letter' }, proctoring: { frameRate: 'fast' } }),
    );
    const run = runVigil(['config'], { VIGIL_DATA_DIR: dir, VIGIL_POLICY_FILE: policy });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('report.pageSize = "Letter"  [policy] (managed by IT policy)');
    expect(run.stdout).toMatch(
      new RegExp(`problem: ${policy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: "proctoring.frameRate"`),
    );
  });

  it('npm start says plainly why the desktop app cannot start without the Electron runtime', () => {
    // With the runtime present `npm start` opens a window, which a headless test cannot drive.
    const runtimeInstalled = fs.existsSync('node_modules/electron/path.txt');
    expect(runtimeInstalled, 'this suite expects the Electron download to be skipped').toBe(false);
    const run = spawnSync(process.execPath, ['scripts/start-electron.mjs'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the Electron runtime is not installed');
    expect(run.stderr).toContain('npm run host');
  });
});
