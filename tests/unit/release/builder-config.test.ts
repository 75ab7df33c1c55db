// electron-builder.yml validated offline by electron-builder itself (its loader and its JSON Schema,
// app-builder-lib/scheme.json through ajv), plus the properties IT deployment depends on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateBuilderConfig } from '../../../src-main/release/builder-config';
import { releaseOverrides } from '../../../src-main/release/build-overrides';

type Obj = Record<string, unknown>;
const repo = process.cwd();
let config: Obj;
let tmp: string;

beforeAll(async () => {
  config = (await validateBuilderConfig(repo)).config;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-ebcfg-'));
  fs.copyFileSync('package.json', path.join(tmp, 'package.json'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function validateYaml(yaml: string): Promise<unknown> {
  fs.writeFileSync(path.join(tmp, 'broken.yml'), yaml);
  return validateBuilderConfig(tmp, 'broken.yml').then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('electron-builder.yml', () => {
  it('passes electron-builder validation', () => {
    expect(config.appId).toBe('app.vigil.desktop');
  });

  it('is really validated: electron-builder rejects an unknown option and a wrong type', async () => {
    const unknown = await validateYaml('appId: x\nsilentInstall: true\n');
    expect(String(unknown)).toMatch(/configuration has an unknown property 'silentInstall'/);
    const nested = await validateYaml('appId: x\nnsis:\n  perMachine: true\n  silentInstallPlease: true\n');
    expect(String(nested)).toMatch(/Invalid configuration object[\s\S]*configuration\.nsis/);
    const wrongType = await validateYaml('appId: x\nmac:\n  hardenedRuntime: [1, 2]\n');
    expect(String(wrongType)).toMatch(/configuration\.mac/);
    expect(await validateYaml('appId: x\nnsis:\n  perMachine: true\n')).toBeUndefined();
  });

  it('wires the fuses hook and names artifacts with the version', () => {
    expect(config.afterPack).toBe('scripts/electron-fuses.cjs');
    expect(config.artifactName).toContain('${version}');
    expect(config.asar).toBe(true);
  });

  it('builds per-machine NSIS and MSI for Windows', () => {
    const win = config.win as { target: { target: string }[] };
    expect(win.target.map((t) => t.target)).toEqual(['nsis', 'msi']);
    expect(config.nsis).toMatchObject({ perMachine: true, oneClick: false });
    expect(config.msi).toMatchObject({ perMachine: true });
  });

  it('builds a hardened, notarized dmg and pkg with camera and microphone usage descriptions', () => {
    const mac = config.mac as Obj & { target: { target: string }[]; extendInfo: Obj };
    expect(mac.target.map((t) => t.target)).toEqual(['dmg', 'pkg']);
    expect(mac).toMatchObject({ hardenedRuntime: true, notarize: true });
    expect(mac.extendInfo.NSCameraUsageDescription).toMatch(/camera/);
    expect(mac.extendInfo.NSMicrophoneUsageDescription).toMatch(/microphone/);
    const entitlements = fs.readFileSync(mac.entitlements as string, 'utf8');
    for (const key of ['cs.allow-jit', 'device.camera', 'device.audio-input'])
      expect(entitlements).toContain(`com.apple.security.${key}`);
  });

  it('builds AppImage, deb and rpm with a desktop entry and declared dependencies', () => {
    const linux = config.linux as Obj & { target: { target: string }[]; desktop: { entry: Obj } };
    expect(linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb', 'rpm']);
    expect(linux.desktop.entry.Categories).toBe('Education;');
    expect((config.deb as { depends: string[] }).depends).toContain('libnss3');
    expect((config.rpm as { depends: string[] }).depends).toContain('nss');
  });

  it('publishes to a generic update server', () => {
    expect(config.publish).toEqual([expect.objectContaining({ provider: 'generic' })]);
  });

  it('keeps secrets out of the file', () => {
    const text = fs.readFileSync('electron-builder.yml', 'utf8');
    expect(text).not.toMatch(/certificatePassword|certificateFile|APPLE_APP_SPECIFIC_PASSWORD:|-----BEGIN/);
  });
});

describe('release overrides from the environment', () => {
  it('adds Azure Trusted Signing and the update URL, and the result still validates', async () => {
    const { config: overrides } = releaseOverrides({
      VIGIL_AZURE_ENDPOINT: 'https://eus.codesigning.azure.net',
      VIGIL_AZURE_ACCOUNT: 'vigil',
      VIGIL_AZURE_CERT_PROFILE: 'vigil-public',
      VIGIL_WIN_PUBLISHER: 'Vigil Ltd',
      VIGIL_UPDATE_URL: 'https://updates.example.edu/vigil',
      APPLE_API_KEY: '/keys/AuthKey.p8',
      APPLE_API_KEY_ID: 'ABC',
      APPLE_API_ISSUER: 'issuer',
    });
    const merged = (await validateBuilderConfig(repo, 'electron-builder.yml', overrides)).config;
    expect((merged.win as Obj).azureSignOptions).toMatchObject({
      endpoint: 'https://eus.codesigning.azure.net',
    });
    expect(merged.publish).toEqual([expect.objectContaining({ url: 'https://updates.example.edu/vigil' })]);
    expect((merged.mac as Obj).notarize).toBe(true);
  });

  it('turns notarization off without Apple credentials and refuses incomplete Azure settings', () => {
    expect(releaseOverrides({}).config.mac).toEqual({ notarize: false });
    expect(() => releaseOverrides({ VIGIL_AZURE_ENDPOINT: 'https://x' })).toThrow(/VIGIL_AZURE_ACCOUNT/);
    expect(() => releaseOverrides({ VIGIL_UPDATE_URL: 'http://plain' })).toThrow(/https/);
  });
});
