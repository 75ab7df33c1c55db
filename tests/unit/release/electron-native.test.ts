// `npm start` under Electron: when the start script rebuilds better-sqlite3 for Electron, where the
// build goes, and that the Node build in node_modules (tests, CLI, host, worker) stays intact.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decideNativeRebuild,
  electronNativePaths,
  type NativeBuildStamp,
} from '../../../src-main/release/electron-native';
import { prepareElectronNative, type RebuildNative } from '../../../src-main/release/prepare-electron-native';
import { openLocalStore } from '../../../src-main/store/local-store';
import { useSqliteBinding } from '../../../src-main/store/native-binding';
import { makeTempDir } from '../../support/temp-dir';

const wanted: NativeBuildStamp = {
  electron: '41.7.1',
  betterSqlite3: '12.4.1',
  platform: 'linux',
  arch: 'x64',
};
const NODE_BUILD = path.resolve('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('rebuild decision', () => {
  it('rebuilds when there is no Electron build, or when its stamp is missing or unreadable', () => {
    expect(decideNativeRebuild(wanted, { stamp: wanted, bindingExists: false })).toMatchObject({
      rebuild: true,
      reason: expect.stringContaining('no Electron build') as string,
    });
    for (const stamp of [null, 'garbage', { electron: '41.7.1' }]) {
      expect(decideNativeRebuild(wanted, { stamp, bindingExists: true })).toMatchObject({
        rebuild: true,
        reason: expect.stringContaining('did not finish') as string,
      });
    }
  });

  it('rebuilds when Electron, better-sqlite3, the platform or the architecture changed', () => {
    for (const [key, value] of [
      ['electron', '40.0.0'],
      ['betterSqlite3', '12.0.0'],
      ['platform', 'darwin'],
      ['arch', 'arm64'],
    ] as const) {
      const decision = decideNativeRebuild(wanted, {
        stamp: { ...wanted, [key]: value },
        bindingExists: true,
      });
      expect(decision).toEqual({ rebuild: true, reason: `${key} changed from ${value} to ${wanted[key]}` });
    }
  });

  it('does not rebuild a build made for exactly this Electron', () => {
    expect(decideNativeRebuild(wanted, { stamp: { ...wanted }, bindingExists: true })).toEqual({
      rebuild: false,
    });
  });
});

describe('prepareElectronNative', () => {
  const temps: Array<{ cleanup(): void }> = [];
  afterEach(() => {
    useSqliteBinding(undefined);
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  /** An app root whose node_modules is the repository's (read only by the step). */
  function appRoot(): string {
    const temp = makeTempDir('vigil-native-');
    temps.push(temp);
    fs.symlinkSync(path.resolve('node_modules'), path.join(temp.dir, 'node_modules'), 'dir');
    return temp.dir;
  }

  /** Stands in for @electron/rebuild (which needs Electron's headers): compiles nothing, places the
   * addon where node-gyp would, so the layout and the stamp are what is tested. */
  function fakeRebuild(calls: Array<Parameters<RebuildNative>[0]>): RebuildNative {
    return async (options) => {
      calls.push(options);
      const release = path.join(options.buildPath, 'node_modules', 'better-sqlite3', 'build', 'Release');
      fs.mkdirSync(release, { recursive: true });
      fs.copyFileSync(NODE_BUILD, path.join(release, 'better_sqlite3.node'));
    };
  }

  it('builds a copy beside node_modules once, leaves Node’s build alone, and rebuilds for a new Electron', async () => {
    const root = appRoot();
    const before = sha(NODE_BUILD);
    const calls: Array<Parameters<RebuildNative>[0]> = [];
    const first = await prepareElectronNative({
      appRoot: root,
      electronVersion: '41.7.1',
      rebuild: fakeRebuild(calls),
    });
    const paths = electronNativePaths(root);
    expect(first).toMatchObject({ rebuilt: true, binding: paths.binding });
    expect(calls).toEqual([
      {
        buildPath: paths.dir,
        electronVersion: '41.7.1',
        arch: process.arch,
        onlyModules: ['better-sqlite3'],
        force: true,
      },
    ]);
    // The copy holds the sources node-gyp needs, and none of Node's build.
    expect(fs.existsSync(path.join(paths.moduleDir, 'binding.gyp'))).toBe(true);
    expect(fs.existsSync(path.join(paths.moduleDir, 'build', 'Release', 'obj.target'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(paths.stamp, 'utf8'))).toMatchObject({ electron: '41.7.1' });
    expect(sha(NODE_BUILD)).toBe(before);

    const second = await prepareElectronNative({
      appRoot: root,
      electronVersion: '41.7.1',
      rebuild: fakeRebuild(calls),
    });
    expect(second.rebuilt).toBe(false);
    expect(calls).toHaveLength(1);

    const upgraded = await prepareElectronNative({
      appRoot: root,
      electronVersion: '42.0.0',
      rebuild: fakeRebuild(calls),
    });
    expect(upgraded).toMatchObject({ rebuilt: true, reason: 'electron changed from 41.7.1 to 42.0.0' });
    expect(sha(NODE_BUILD)).toBe(before);
  });

  it('a rebuild that fails leaves no stamp, so the next start tries again', async () => {
    const root = appRoot();
    const failing: RebuildNative = () => Promise.reject(new Error('gyp ERR! no Electron headers'));
    await expect(
      prepareElectronNative({ appRoot: root, electronVersion: '41.7.1', rebuild: failing }),
    ).rejects.toThrow('no Electron headers');
    expect(fs.existsSync(electronNativePaths(root).stamp)).toBe(false);
    const calls: Array<Parameters<RebuildNative>[0]> = [];
    const retried = await prepareElectronNative({
      appRoot: root,
      electronVersion: '41.7.1',
      rebuild: fakeRebuild(calls),
    });
    expect(retried.rebuilt).toBe(true);
  });

  it('the local store loads the addon the desktop app points it at', async () => {
    const root = appRoot();
    const { binding } = await prepareElectronNative({
      appRoot: root,
      electronVersion: '41.7.1',
      rebuild: fakeRebuild([]),
    });
    useSqliteBinding(binding);
    const store = await openLocalStore(path.join(root, 'local.db'));
    expect(store.raw.prepare('SELECT 1 AS one').get()).toEqual({ one: 1 });
    await store.close();
    // Proof that the option is used: a binding that is not there fails the open.
    useSqliteBinding(path.join(root, 'missing.node'));
    await expect(openLocalStore(path.join(root, 'other.db'))).rejects.toThrow();
  });
});
