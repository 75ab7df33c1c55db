// `vigil policy keygen | sign | verify` as IT runs them, in process; and a signature made with plain
// OpenSSL verifies too (README tells IT they may sign that way).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { loadConfig } from '../../../src-main/config/load';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-policy-cli-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exitCode = undefined;
});

async function vigil(...args: string[]): Promise<number> {
  process.exitCode = undefined;
  return main(['node', 'vigil', ...args]);
}

describe('vigil policy', () => {
  it('creates keys, signs a policy, verifies it, and detects a change', async () => {
    const keys = path.join(tmp, 'keys');
    expect(await vigil('policy', 'keygen', '--out', keys)).toBe(0);
    expect((fs.statSync(path.join(keys, 'policy-signing.key')).mode & 0o777).toString(8)).toBe('600');
    const policy = path.join(tmp, 'policy.json');
    fs.copyFileSync('resources/policy.example.json', policy);
    expect(await vigil('policy', 'sign', policy, '--key', path.join(keys, 'policy-signing.key'))).toBe(0);
    expect(await vigil('policy', 'verify', policy, '--key', path.join(keys, 'policy-signing.pub'))).toBe(0);

    const trust = {
      publicKeys: [fs.readFileSync(path.join(keys, 'policy-signing.pub'), 'utf8')],
      requireSignedPolicy: true,
    };
    expect(loadConfig({ env: {}, home: tmp, policyFile: policy, trust }).policy.signature).toBe('valid');

    fs.appendFileSync(policy, '\n');
    expect(await vigil('policy', 'verify', policy, '--key', path.join(keys, 'policy-signing.pub'))).toBe(1);
    expect(loadConfig({ env: {}, home: tmp, policyFile: policy, trust }).policy.refused).toBe(true);
  });

  it('refuses to sign a policy without a serial and an expiry (the app would refuse it)', async () => {
    const keys = path.join(tmp, 'keys');
    await vigil('policy', 'keygen', '--out', keys);
    const policy = path.join(tmp, 'policy.json');
    fs.writeFileSync(policy, '{ "log": { "level": "warn" } }\n');
    expect(await vigil('policy', 'sign', policy, '--key', path.join(keys, 'policy-signing.key'))).toBe(1);
    expect(fs.existsSync(`${policy}.sig`)).toBe(false);
  });

  it('accepts a signature made with plain OpenSSL', async () => {
    const keys = path.join(tmp, 'keys');
    await vigil('policy', 'keygen', '--out', keys);
    const policy = path.join(tmp, 'policy.json');
    fs.writeFileSync(policy, '{ "log": { "level": "warn" } }\n');
    const signature = execFileSync('openssl', [
      'pkeyutl',
      '-sign',
      '-rawin',
      '-inkey',
      path.join(keys, 'policy-signing.key'),
      '-in',
      policy,
    ]);
    fs.writeFileSync(`${policy}.sig`, signature.toString('base64'));
    expect(await vigil('policy', 'verify', policy, '--key', path.join(keys, 'policy-signing.pub'))).toBe(0);
  });
});
