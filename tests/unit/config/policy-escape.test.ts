// IT policy cannot be escaped: the environment moves the policy file only in a development build or
// where the protected policy allows it; where signatures are required a missing policy is refused
// like an unsigned one; a signed policy carries a serial and an expiry, and an expired one or one
// older than the newest this device applied is refused (no replay).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type LoadConfigOptions } from '../../../src-main/config/load';
import { detectBuildKind } from '../../../src-main/config/policy-location';
import { platformPaths } from '../../../src-main/config/paths';
import {
  generatePolicyKeyPair,
  signatureFileFor,
  signPolicyBytes,
  type PolicyTrust,
} from '../../../src-main/config/policy-signature';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-policy-escape-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(file: string, value: unknown): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

const noTrust: PolicyTrust = { publicKeys: [], requireSignedPolicy: false };
const home = () => path.join(tmp, 'home');
const root = () => path.join(tmp, 'root');
/** Loads as the packaged app would, with the machine-wide paths under a fake root. */
function load(extra: LoadConfigOptions = {}) {
  return loadConfig({
    env: {},
    home: home(),
    root: root(),
    trust: noTrust,
    buildKind: 'production',
    ...extra,
  });
}
const protectedFile = (platform: NodeJS.Platform = 'linux') =>
  platformPaths(platform, {}, home(), root()).policyFile;

describe('where the policy is read from', () => {
  it('a packaged build ignores VIGIL_POLICY_FILE and says so; the protected policy applies', () => {
    write(protectedFile(), { log: { level: 'warn' } });
    const mine = write(path.join(tmp, 'mine.json'), { log: { level: 'debug' } });
    const loaded = load({ platform: 'linux', env: { VIGIL_POLICY_FILE: mine } });
    expect(loaded.files.policy).toBe(protectedFile());
    expect(loaded.config.log.level).toBe('warn');
    expect(loaded.ignoredOverrides).toEqual([
      { key: '(policy file)', source: `environment variable VIGIL_POLICY_FILE (${mine})` },
    ]);
    // Even with no protected policy at all, the candidate's own file is not read.
    fs.rmSync(protectedFile());
    const none = load({ platform: 'linux', env: { VIGIL_POLICY_FILE: mine } });
    expect(none.files.policy).toBe(protectedFile());
    expect(none.config.log.level).toBe('info');
    expect(none.lockedKeys).toEqual([]);
  });

  it('a packaged build on Windows ignores a ProgramData variable pointing elsewhere', () => {
    write(protectedFile('win32'), { log: { level: 'warn' } });
    const elsewhere = 'D:\\Candidate';
    const mine = write(platformPaths('win32', { ProgramData: elsewhere }, home(), root()).policyFile, {
      log: { level: 'debug' },
    });
    const loaded = load({ platform: 'win32', env: { ProgramData: elsewhere } });
    expect(loaded.files.policy).toBe(protectedFile('win32'));
    expect(loaded.config.log.level).toBe('warn');
    expect(loaded.ignoredOverrides).toEqual([
      { key: '(policy file)', source: `environment variable ProgramData (${mine})` },
    ]);
  });

  it('a development build honours VIGIL_POLICY_FILE', () => {
    write(protectedFile(), { log: { level: 'warn' } });
    const mine = write(path.join(tmp, 'mine.json'), { log: { level: 'debug' } });
    const loaded = load({ platform: 'linux', env: { VIGIL_POLICY_FILE: mine }, buildKind: 'development' });
    expect(loaded.files.policy).toBe(mine);
    expect(loaded.config.log.level).toBe('debug');
    expect(loaded.ignoredOverrides).toEqual([]);
  });

  it('a packaged build honours it where the protected policy allows it, and only there', () => {
    const lab = write(path.join(tmp, 'lab.json'), { log: { level: 'debug' } });
    // The candidate's own settings or environment cannot grant it.
    write(path.join(platformPaths('linux', {}, home()).dataDir, 'settings.json'), {
      security: { allowPolicyOverride: true },
    });
    const byEnv = load({
      platform: 'linux',
      env: { VIGIL_POLICY_FILE: lab, VIGIL_SECURITY_ALLOW_POLICY_OVERRIDE: 'true' },
    });
    expect(byEnv.files.policy).toBe(protectedFile());
    write(protectedFile(), { security: { allowPolicyOverride: true } });
    const allowed = load({ platform: 'linux', env: { VIGIL_POLICY_FILE: lab } });
    expect(allowed.files.policy).toBe(lab);
    expect(allowed.config.log.level).toBe('debug');
  });

  it('tells a packaged app from sources', () => {
    expect(detectBuildKind('file:///opt/Vigil/resources/app.asar/dist/main/main.js')).toBe('production');
    expect(detectBuildKind('C:\\Program Files\\Vigil\\resources\\app.asar\\dist\\main\\main.js')).toBe(
      'production',
    );
    expect(detectBuildKind('file:///home/dev/vigil/src-main/config/policy-location.ts')).toBe('development');
    expect(detectBuildKind()).toBe('development'); // these tests run from sources
  });
});

describe('signed policies must be present and current', () => {
  const pair = generatePolicyKeyPair();
  const trust: PolicyTrust = { publicKeys: [pair.publicKeyPem], requireSignedPolicy: true };
  const now = new Date('2027-03-01T00:00:00Z');

  function signed(value: Record<string, unknown>): string {
    const file = write(protectedFile(), value);
    fs.writeFileSync(signatureFileFor(file), signPolicyBytes(fs.readFileSync(file), pair.privateKeyPem));
    return file;
  }
  const loadSigned = (extra: LoadConfigOptions = {}) => load({ platform: 'linux', trust, now, ...extra });

  it('refuses exams when the policy is missing where signatures are required (build or environment)', () => {
    for (const options of [
      { trust },
      { trust: noTrust, env: { VIGIL_SECURITY_REQUIRE_SIGNED_POLICY: 'true' } },
    ]) {
      const loaded = load({ platform: 'linux', now, ...options });
      expect(loaded.policy).toMatchObject({ signature: 'absent', refused: true, signatureRequired: true });
      expect(loaded.issues).toHaveLength(1);
      expect(loaded.issues[0]?.problem).toMatch(/is missing.*exams are refused as for an unsigned policy/);
    }
    // Where nothing requires a signature, no policy is fine.
    expect(load({ platform: 'linux', now }).issues).toEqual([]);
  });

  it('refuses a signed policy without a serial and an expiry', () => {
    signed({ log: { level: 'warn' } });
    const loaded = loadSigned();
    expect(loaded.policy).toMatchObject({ signature: 'valid', refused: true });
    expect(loaded.issues[0]?.problem).toMatch(/carries no "serial" and "expiresAt"/);
    expect(loaded.config.log.level).toBe('info');
  });

  it('refuses an expired signed policy', () => {
    signed({ serial: 3, expiresAt: '2027-02-28T00:00:00Z', log: { level: 'warn' } });
    const loaded = loadSigned();
    expect(loaded.policy.refused).toBe(true);
    expect(loaded.issues[0]?.problem).toMatch(/expired on 2027-02-28T00:00:00Z \(serial 3\)/);
    expect(loaded.config.log.level).toBe('info');
  });

  it('refuses an older serial than the newest applied here (no replay), and accepts the same or newer', () => {
    const seenPolicyFile = path.join(tmp, 'seen.json');
    signed({ serial: 5, expiresAt: '2028-01-01T00:00:00Z', log: { level: 'warn' } });
    const first = loadSigned({ seenPolicyFile });
    expect(first.issues).toEqual([]);
    expect(first.policy.stamp).toEqual({ serial: 5, expiresAt: '2028-01-01T00:00:00Z' });
    expect(loadSigned({ seenPolicyFile }).issues).toEqual([]); // the same policy at the next start

    // The older policy, still validly signed and not expired, put back: refused as a whole.
    signed({ serial: 4, expiresAt: '2028-01-01T00:00:00Z', log: { level: 'debug' } });
    const replay = loadSigned({ seenPolicyFile });
    expect(replay.policy).toMatchObject({ signature: 'valid', refused: true });
    expect(replay.issues[0]?.problem).toMatch(
      /serial 4, older than serial 5 that this computer already applied/,
    );
    expect(replay.config.log.level).toBe('info');

    signed({ serial: 6, expiresAt: '2028-01-01T00:00:00Z', log: { level: 'error' } });
    expect(loadSigned({ seenPolicyFile }).config.log.level).toBe('error');
    expect(loadSigned({ seenPolicyFile }).issues).toEqual([]);
    signed({ serial: 5, expiresAt: '2028-01-01T00:00:00Z', log: { level: 'warn' } });
    expect(loadSigned({ seenPolicyFile }).policy.refused).toBe(true);
  });

  it('keeps the serial it saw in the default data folder when not told otherwise', () => {
    signed({ serial: 9, expiresAt: '2028-01-01T00:00:00Z' });
    expect(loadSigned().issues).toEqual([]);
    const seen = path.join(platformPaths('linux', {}, home()).dataDir, 'policy-seen.json');
    expect(JSON.parse(fs.readFileSync(seen, 'utf8'))).toMatchObject({ serial: 9 });
  });
});
