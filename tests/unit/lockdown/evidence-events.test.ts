import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  appBuildEvent,
  canonicalJson,
  checkEvent,
  hashBuildFiles,
  listBuildFiles,
  policyEvent,
  policyHash,
  reviewAppBuild,
  warningEvent,
} from '../../../src-main/lockdown/evidence-events';
import { parseLockdownPolicy } from '../../../src-main/lockdown/policy';
import { scanProcesses } from '../../../src-main/lockdown/process-scan';
import { checkToWarning } from '../../../src-main/lockdown/violations';

describe('lockdown evidence events', () => {
  it('hashes a policy canonically: key order does not matter, any value change does', () => {
    const a = parseLockdownPolicy({ clipboard: 'isolated', maxDisplays: 1 });
    const b = parseLockdownPolicy({ maxDisplays: 1, clipboard: 'isolated' });
    expect(policyHash(a)).toBe(policyHash(b));
    expect(policyHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(policyHash(parseLockdownPolicy({ clipboard: 'allow' }))).not.toBe(policyHash(a));
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(policyEvent(a)).toEqual({
      kind: 'lockdown_policy',
      payload: { policyHash: policyHash(a), policy: a },
    });
  });

  it('hashes the build files so that a patched bundle changes the build hash', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-build-'));
    try {
      fs.writeFileSync(path.join(dir, 'main.js'), 'console.log(1)');
      fs.writeFileSync(path.join(dir, 'main.js.map'), '{}');
      fs.writeFileSync(path.join(dir, 'preload.cjs'), 'x');
      fs.mkdirSync(path.join(dir, 'renderer', 'assets'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'renderer', 'assets', 'index.js'), 'y');
      expect(await listBuildFiles(dir)).toEqual(['main.js', 'preload.cjs', 'renderer/assets/index.js']);
      const first = await hashBuildFiles(dir, ['preload.cjs', 'main.js']);
      expect(await hashBuildFiles(dir, ['main.js', 'preload.cjs'])).toBe(first);
      fs.writeFileSync(path.join(dir, 'main.js'), 'console.log(2)');
      expect(await hashBuildFiles(dir, ['main.js', 'preload.cjs'])).not.toBe(first);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('wraps results and warnings as JSON-safe chain events', () => {
    const result = scanProcesses([{ pid: 3, name: 'obs64.exe' }]);
    const events = [
      appBuildEvent({ appVersion: '0.1.0', buildHash: 'ab'.repeat(32), platform: 'linux', arch: 'x64' }),
      checkEvent(result),
      warningEvent(checkToWarning(result)!),
    ];
    expect(events.map((e) => e.kind)).toEqual(['app_build', 'lockdown_check', 'lockdown_warning']);
    for (const event of events) expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  it('lets the server flag sessions from unknown app versions or builds', () => {
    const known = [{ appVersion: '0.1.0', buildHash: 'a'.repeat(64) }];
    const build = { appVersion: '0.1.0', buildHash: 'a'.repeat(64), platform: 'win32', arch: 'x64' };
    expect(reviewAppBuild(build, known)).toEqual({ flagged: false });
    expect(reviewAppBuild({ ...build, appVersion: '0.0.9' }, known)).toEqual({
      flagged: true,
      reason: 'unknown app version 0.0.9',
    });
    expect(reviewAppBuild({ ...build, buildHash: 'b'.repeat(64) }, known).flagged).toBe(true);
    expect(reviewAppBuild(undefined, known).flagged).toBe(true);
  });
});
