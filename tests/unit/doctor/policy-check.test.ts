// The doctor's policy item: where each value came from and whether it is managed, secrets masked,
// and a refused (altered) policy reported as a failure with the reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src-main/config/load';
import { generatePolicyKeyPair, signPolicyBytes } from '../../../src-main/config/policy-signature';
import { policyCheck } from '../../../src-main/doctor/checks/policy';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-doctor-policy-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('doctor policy item', () => {
  const pair = generatePolicyKeyPair();
  const trust = { publicKeys: [pair.publicKeyPem], requireSignedPolicy: true };

  function signed(): string {
    const file = path.join(tmp, 'policy.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        serial: 7,
        expiresAt: '2099-01-01T00:00:00Z',
        central: { url: 'postgresql://db.example.edu/vigil' },
        log: { level: 'warn' },
      }),
    );
    fs.writeFileSync(`${file}.sig`, signPolicyBytes(fs.readFileSync(file), pair.privateKeyPem));
    return file;
  }

  it('lists each value with its source and lock, masking secrets', () => {
    const policyFile = signed();
    const check = policyCheck(
      loadConfig({ env: { VIGIL_PROCTORING_FRAME_RATE: '1' }, home: tmp, policyFile, trust }),
    );
    expect(check.status).toBe('ok');
    expect(check.summary).toContain(
      `signed (key ${pair.keyId}, serial 7, expires 2099-01-01T00:00:00Z), signature required; 2 managed key(s)`,
    );
    const values = check.details?.values as Record<
      string,
      { value: unknown; source: string; locked: boolean }
    >;
    expect(values['central.url']).toEqual({ value: '(set)', source: 'policy', locked: true });
    expect(values['proctoring.frameRate']).toEqual({ value: 1, source: 'env', locked: false });
    expect(values['report.pageSize']).toEqual({ value: 'A4', source: 'default', locked: false });
  });

  it('fails with the reason when the policy was altered after signing', () => {
    const policyFile = signed();
    fs.writeFileSync(policyFile, fs.readFileSync(policyFile, 'utf8').replace('warn', 'debug'));
    const check = policyCheck(loadConfig({ env: {}, home: tmp, policyFile, trust }));
    expect(check.status).toBe('fail');
    expect(check.summary).toMatch(/changed after it was signed/);
    expect(check.details).toMatchObject({ signature: 'invalid', policyRefused: true });
  });
});
