// Smoke test of an installed Vigil (the release pipeline installs each installer silently, then
// points VIGIL_INSTALLED_APP at the executable it installed): the fuses of the shipped binary read
// as scripts/electron-fuses.cjs sets them, and the app starts and keeps running until closed.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/temp-dir';

const require = createRequire(import.meta.url);
const { fuseSettings } = require('../../scripts/electron-fuses.cjs') as {
  fuseSettings: Record<keyof typeof FuseV1Options, boolean>;
};
const executable = process.env.VIGIL_INSTALLED_APP;
/** A fuse's byte in the wire (@electron/fuses FuseState, not exported by its index). */
const ENABLE = 49;
const DISABLE = 48;

describe('installed app', () => {
  it('names the installed executable', () => {
    expect(executable, 'set VIGIL_INSTALLED_APP to the installed Vigil executable').toBeTruthy();
  });

  it('has every fuse as the build sets it', async () => {
    const wire = await getCurrentFuseWire(executable!);
    for (const [name, enabled] of Object.entries(fuseSettings)) {
      const state = wire[FuseV1Options[name as keyof typeof FuseV1Options]];
      expect(state, name).toBe(enabled ? ENABLE : DISABLE);
    }
  });

  it('starts and keeps running for 15 s (no crash on load, no refusal of its own build)', async () => {
    const data = makeTempDir('vigil-installed-');
    const child = spawn(executable!, [], {
      // A fresh per-user data folder (paths.ts: APPDATA on Windows, HOME on macOS, XDG on Linux).
      env: { ...process.env, HOME: data.dir, APPDATA: data.dir, XDG_CONFIG_HOME: data.dir },
      stdio: 'ignore',
    });
    try {
      const exited = await new Promise<number | null | 'running'>((resolve) => {
        child.once('exit', (code) => resolve(code));
        setTimeout(() => resolve('running'), 15_000);
      });
      expect(exited).toBe('running');
    } finally {
      child.kill();
      data.cleanup();
    }
  });
});
