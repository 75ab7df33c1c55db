import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { hashCodeFolders, runningAppBuild } from '../../../src-main/lockdown/app-build';
import { registerAppBuild } from '../../../src-main/lockdown/port';
import { makeTempDir } from '../../support/temp-dir';

const temp = makeTempDir('vigil-app-build-');
afterEach(() => registerAppBuild(undefined));
afterAll(() => temp.cleanup());

function tree(name: string, files: Record<string, string>): string {
  const root = path.join(temp.dir, name);
  for (const [rel, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), body);
  }
  return root;
}

describe('running app build', () => {
  it('hashes the running source folders, so one changed byte gives another hash', async () => {
    const files = { 'src-main/a.ts': 'export const a = 1;\n', 'dist/renderer/index.html': '<html></html>' };
    const a = tree('a', files);
    const b = tree('b', { ...files, 'src-main/a.ts': 'export const a = 2;\n' });
    const c = tree('c', { ...files, 'src-main/a.ts.map': '{}', 'elsewhere/x.txt': 'not code' });
    const hashA = await hashCodeFolders(a, ['src-main', 'dist/renderer']);
    expect(hashA).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashCodeFolders(b, ['src-main', 'dist/renderer'])).not.toBe(hashA);
    // Source maps and other folders are not the running code.
    expect(await hashCodeFolders(c, ['src-main', 'dist/renderer'])).toBe(hashA);
    expect(await runningAppBuild('1.2.3', a)).toEqual({
      appVersion: '1.2.3',
      buildHash: hashA,
      platform: process.platform,
      arch: process.arch,
      origin: 'sources',
    });
  });

  it('says why when there is no code to hash, and prefers the build the shell registered', async () => {
    const empty = tree('empty', { 'README.md': 'nothing here' });
    expect((await runningAppBuild('1.2.3', empty)).buildHash).toMatch(/^unavailable: no code found/);
    registerAppBuild({ appVersion: '2.0.0', buildHash: 'cd'.repeat(32), platform: 'win32', arch: 'x64' });
    expect(await runningAppBuild('1.2.3', empty)).toMatchObject({
      appVersion: '2.0.0',
      buildHash: 'cd'.repeat(32),
      origin: 'bundles',
    });
  });
});
