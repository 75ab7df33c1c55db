// The afterPack hook's fuse settings, and the hook itself run against a synthetic binary carrying
// Electron's fuse sentinel and wire (the real Electron binary is not available on build machines).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';

interface FuseHook {
  fuseSettings: Record<string, boolean>;
  fuseConfig(platform: string, arch: number): Record<string, unknown>;
  electronBinaryPath(context: unknown): string;
  default(context: unknown): Promise<void>;
}

const require = createRequire(import.meta.url);
const hook = require('../../../scripts/electron-fuses.cjs') as FuseHook;
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Fuse states as bytes in the wire: ASCII '0' and '1'. */
const FuseState = { DISABLE: 48, ENABLE: 49 } as const;
const dirs: string[] = [];

/** A fake executable: some bytes, the sentinel, wire version 1, 9 fuses all enabled ('1'), more bytes. */
function fakeElectron(file: string, fuses = 9): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    Buffer.concat([
      Buffer.from('\x7fELF fake electron binary '),
      Buffer.from(SENTINEL),
      Buffer.from([1, fuses]),
      Buffer.alloc(fuses, '1'),
      Buffer.from(' trailing bytes'),
    ]),
  );
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fuses-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('electron fuses afterPack hook', () => {
  it('declares exactly the required fuse settings', () => {
    expect(hook.fuseSettings).toEqual({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      GrantFileProtocolExtraPrivileges: false,
    });
    const config = hook.fuseConfig('linux', 1);
    expect(config).toMatchObject({
      version: '1',
      resetAdHocDarwinSignature: false,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    });
    expect(hook.fuseConfig('darwin', 3).resetAdHocDarwinSignature).toBe(true);
    expect(hook.fuseConfig('darwin', 1).resetAdHocDarwinSignature).toBe(false);
  });

  it('finds the Electron executable electron-builder produced on each platform', () => {
    const packager = { appInfo: { productFilename: 'Vigil' }, executableName: 'vigil' };
    const at = (electronPlatformName: string) =>
      hook.electronBinaryPath({ appOutDir: '/out', electronPlatformName, packager });
    expect(at('linux')).toBe(path.join('/out', 'vigil'));
    expect(at('win32')).toBe(path.join('/out', 'Vigil.exe'));
    expect(at('darwin')).toBe(path.join('/out', 'Vigil.app'));
    expect(() => at('freebsd')).toThrow(/unsupported platform/);
  });

  it('flips the fuses in a packaged Linux binary and leaves the others as they were', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const appOutDir = tempDir();
    const binary = path.join(appOutDir, 'vigil');
    fakeElectron(binary);
    await hook.default({
      appOutDir,
      electronPlatformName: 'linux',
      arch: 1,
      packager: { appInfo: { productFilename: 'Vigil' }, executableName: 'vigil' },
    });
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
    // Untouched: cookie encryption, the V8 snapshot fuse, and fuses newer than @electron/fuses knows.
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect((wire as Record<number, number>)[8]).toBe(FuseState.ENABLE);
  });

  it('flips the fuses inside a macOS app bundle (the Electron Framework binary)', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const appOutDir = tempDir();
    const framework = path.join(
      appOutDir,
      'Vigil.app/Contents/Frameworks/Electron Framework.framework/Electron Framework',
    );
    fakeElectron(framework);
    await hook.default({
      appOutDir,
      electronPlatformName: 'darwin',
      arch: 1,
      packager: { appInfo: { productFilename: 'Vigil' } },
    });
    const wire = await getCurrentFuseWire(path.join(appOutDir, 'Vigil.app'));
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
  });

  it('fails the build when the binary has no fuse wire', async () => {
    const appOutDir = tempDir();
    fs.writeFileSync(path.join(appOutDir, 'Vigil.exe'), 'MZ not electron');
    await expect(
      hook.default({
        appOutDir,
        electronPlatformName: 'win32',
        arch: 1,
        packager: { appInfo: { productFilename: 'Vigil' } },
      }),
    ).rejects.toThrow(/sentinel/);
  });
});
