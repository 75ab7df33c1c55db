// The managed IT policy: OS locations (fake root), precedence, locked keys, per-key errors naming
// file and key, and Ed25519 signatures (signed accepted, altered/unsigned refused when required).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type LoadConfigOptions } from '../../../src-main/config/load';
import { platformPaths } from '../../../src-main/config/paths';
import {
  generatePolicyKeyPair,
  signatureFileFor,
  signPolicyBytes,
  type PolicyTrust,
} from '../../../src-main/config/policy-signature';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-policy-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(file: string, value: unknown): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}

function base(extra: LoadConfigOptions = {}): LoadConfigOptions {
  return {
    env: {},
    home: path.join(tmp, 'home'),
    root: path.join(tmp, 'root'),
    trust: { publicKeys: [], requireSignedPolicy: false },
    ...extra,
  };
}

describe('policy location per OS (fake root)', () => {
  for (const platform of ['win32', 'darwin', 'linux'] as const) {
    it(`reads the machine-wide policy on ${platform}`, () => {
      const root = path.join(tmp, 'root');
      const expected = platformPaths(platform, {}, path.join(tmp, 'home'), root).policyFile;
      expect(expected.startsWith(root)).toBe(true);
      write(expected, { log: { level: 'warn' } });
      const loaded = loadConfig(base({ platform }));
      expect(loaded.files.policy).toBe(expected);
      expect(loaded.config.log.level).toBe('warn');
      expect(loaded.sources['log.level']).toBe('policy');
      expect(loaded.lockedKeys).toEqual(['log.level']);
      expect(loaded.issues).toEqual([]);
    });
  }

  it('names the OS locations IT deploys to', () => {
    expect(platformPaths('win32', { ProgramData: 'C:\\ProgramData' }).policyFile).toBe(
      'C:\\ProgramData\\Vigil\\policy.json',
    );
    expect(platformPaths('darwin').policyFile).toBe('/Library/Application Support/Vigil/policy.json');
    expect(platformPaths('linux').policyFile).toBe('/etc/vigil/policy.json');
  });
});

describe('precedence and locked keys', () => {
  it('applies default < policy < user < env, and policy keys cannot be overridden', () => {
    const policyFile = write(path.join(tmp, 'policy.json'), {
      log: { level: 'error' },
      report: { pageSize: 'Letter' },
    });
    const userFile = write(path.join(tmp, 'settings.json'), {
      log: { level: 'debug', maxFiles: 7 },
      proctoring: { frameRate: 1 },
    });
    const loaded = loadConfig(
      base({
        policyFile,
        userFile,
        env: { VIGIL_LOG_LEVEL: 'trace', VIGIL_PROCTORING_FRAME_RATE: '3', VIGIL_REPORT_PAGE_SIZE: 'A4' },
      }),
    );
    expect(loaded.config.log.level).toBe('error'); // policy beats user and env
    expect(loaded.config.report.pageSize).toBe('Letter');
    expect(loaded.config.log.maxFiles).toBe(7); // user beats default
    expect(loaded.config.proctoring.frameRate).toBe(3); // env beats user
    expect(loaded.config.log.maxFileMb).toBe(10); // default
    expect(loaded.sources).toMatchObject({
      'log.level': 'policy',
      'log.maxFiles': 'user',
      'proctoring.frameRate': 'env',
      'log.maxFileMb': 'default',
    });
    expect(loaded.lockedKeys).toEqual(['log.level', 'report.pageSize']);
    expect(loaded.ignoredOverrides).toEqual(
      expect.arrayContaining([
        { key: 'log.level', source: userFile },
        { key: 'log.level', source: 'environment' },
        { key: 'report.pageSize', source: 'environment' },
      ]),
    );
    expect(loaded.issues).toEqual([]);
  });

  it('names the file and the key of each schema error and does not use the bad value', () => {
    const policyFile = write(path.join(tmp, 'policy.json'), {
      log: { level: 'loud', maxFiles: 3 },
      proctoring: { frameRat: 2 },
      central: 'nope',
    });
    const loaded = loadConfig(base({ policyFile }));
    const byKey = Object.fromEntries(loaded.issues.map((i) => [i.key, i]));
    expect(byKey['log.level']?.source).toBe(policyFile);
    expect(byKey['log.level']?.problem).toMatch(/fatal|error|warn|info|debug|trace/);
    expect(byKey['proctoring.frameRat']?.problem).toBe('is not a Vigil setting');
    expect(byKey['central']?.problem).toBe('must be an object');
    expect(loaded.config.log.level).toBe('info');
    expect(loaded.config.log.maxFiles).toBe(3);
    expect(loaded.lockedKeys).toEqual(['log.maxFiles']);
  });

  it('locks the update channel and refuses a non-https update server', () => {
    const policyFile = write(path.join(tmp, 'policy.json'), {
      update: { enabled: false, channel: 'beta', url: 'http://updates.example.edu/vigil' },
    });
    const loaded = loadConfig(base({ policyFile, env: { VIGIL_UPDATE_ENABLED: 'true' } }));
    expect(loaded.config.update).toMatchObject({ enabled: false, channel: 'beta' });
    expect(loaded.config.update.url).toBeUndefined();
    expect(loaded.issues).toEqual([
      { source: policyFile, key: 'update.url', problem: 'must be an https:// URL' },
    ]);
    expect(loaded.ignoredOverrides).toEqual([{ key: 'update.enabled', source: 'environment' }]);
  });

  it('reports a policy that is not JSON', () => {
    const policyFile = write(path.join(tmp, 'policy.json'), '{ "log": ');
    const loaded = loadConfig(base({ policyFile }));
    expect(loaded.issues).toEqual([expect.objectContaining({ source: policyFile, key: '(file)' })]);
  });
});

describe('signed policies (Ed25519)', () => {
  const pair = generatePolicyKeyPair();
  const trust: PolicyTrust = { publicKeys: [pair.publicKeyPem], requireSignedPolicy: true };

  /** Signed as IT does, stamped with a serial and an expiry unless the value brings its own. */
  function signedPolicy(value: Record<string, unknown>): string {
    const file = write(path.join(tmp, 'policy.json'), {
      serial: 1,
      expiresAt: '2099-01-01T00:00:00Z',
      ...value,
    });
    fs.writeFileSync(signatureFileFor(file), signPolicyBytes(fs.readFileSync(file), pair.privateKeyPem));
    return file;
  }

  it('accepts a policy signed with a trusted key', () => {
    const policyFile = signedPolicy({ log: { level: 'warn' } });
    const loaded = loadConfig(base({ policyFile, trust }));
    expect(loaded.issues).toEqual([]);
    expect(loaded.policy).toMatchObject({
      signature: 'valid',
      keyId: pair.keyId,
      refused: false,
      signatureRequired: true,
    });
    expect(loaded.config.log.level).toBe('warn');
    expect(loaded.lockedKeys).toEqual(['log.level']);
  });

  it('accepts a trusted key given as base64 of the raw 32 bytes', () => {
    const policyFile = signedPolicy({ log: { level: 'warn' } });
    const der = Buffer.from(pair.publicKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const raw = der.subarray(der.length - 32).toString('base64');
    const loaded = loadConfig(base({ policyFile, trust: { publicKeys: [raw], requireSignedPolicy: true } }));
    expect(loaded.policy.signature).toBe('valid');
  });

  it('refuses an altered policy with a clear message, applying none of it', () => {
    const policyFile = signedPolicy({ log: { level: 'warn' }, security: { requireSignedPolicy: true } });
    fs.writeFileSync(policyFile, fs.readFileSync(policyFile, 'utf8').replace('warn', 'info'));
    const loaded = loadConfig(base({ policyFile, trust: { ...trust, requireSignedPolicy: false } }));
    expect(loaded.policy).toMatchObject({ signature: 'invalid', refused: true });
    expect(loaded.issues).toHaveLength(1);
    expect(loaded.issues[0]).toMatchObject({ source: policyFile, key: '(signature)' });
    expect(loaded.issues[0]?.problem).toMatch(/changed after it was signed/);
    expect(loaded.issues[0]?.problem).toMatch(/vigil policy sign/);
    expect(loaded.lockedKeys).toEqual([]);
    expect(loaded.sources['log.level']).toBe('default');
  });

  it('refuses a policy signed with a key the app does not trust', () => {
    const policyFile = signedPolicy({ log: { level: 'warn' } });
    const other = generatePolicyKeyPair();
    const loaded = loadConfig(
      base({ policyFile, trust: { publicKeys: [other.publicKeyPem], requireSignedPolicy: true } }),
    );
    expect(loaded.policy.signature).toBe('invalid');
    expect(loaded.policy.refused).toBe(true);
  });

  it('refuses an unsigned policy when the build requires signatures, even if env says otherwise', () => {
    const policyFile = write(path.join(tmp, 'policy.json'), { log: { level: 'warn' } });
    const loaded = loadConfig(
      base({ policyFile, trust, env: { VIGIL_SECURITY_REQUIRE_SIGNED_POLICY: 'false' } }),
    );
    expect(loaded.policy).toMatchObject({ signature: 'unsigned', refused: true });
    expect(loaded.issues[0]?.problem).toMatch(/is not signed/);
    expect(loaded.config.log.level).toBe('info');
  });

  it('refuses an unsigned policy that itself demands signatures', () => {
    const policyFile = write(path.join(tmp, 'policy.json'), { security: { requireSignedPolicy: true } });
    const loaded = loadConfig(base({ policyFile }));
    expect(loaded.policy.refused).toBe(true);
  });

  it('accepts an unsigned policy when nothing requires a signature', () => {
    const policyFile = write(path.join(tmp, 'policy.json'), { log: { level: 'warn' } });
    const loaded = loadConfig(base({ policyFile }));
    expect(loaded.policy).toMatchObject({ signature: 'unsigned', refused: false, signatureRequired: false });
    expect(loaded.config.log.level).toBe('warn');
  });

  it('loads the shipped example policy once signed', () => {
    const example = JSON.parse(fs.readFileSync('resources/policy.example.json', 'utf8')) as Record<
      string,
      unknown
    >;
    const policyFile = signedPolicy(example);
    const loaded = loadConfig(base({ policyFile, trust }));
    expect(loaded.issues).toEqual([]);
    expect(loaded.lockedKeys).toContain('security.requireSignedPolicy');
  });

  it('reads the build-time trust file when no trust is passed', () => {
    const trustFile = JSON.parse(fs.readFileSync('resources/policy-trust.json', 'utf8')) as PolicyTrust;
    const policyFile = write(path.join(tmp, 'policy.json'), { log: { level: 'warn' } });
    const loaded = loadConfig({ env: {}, home: path.join(tmp, 'home'), policyFile });
    expect(loaded.policy.signatureRequired).toBe(trustFile.requireSignedPolicy);
  });
});
