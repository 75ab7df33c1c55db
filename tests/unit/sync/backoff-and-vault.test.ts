// Backoff bounds and growth; the device token vault (0600 file in host mode, sealed by a
// SecretCipher such as Electron safeStorage in the shell); central TLS settings.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sslConfig } from '../../../src-main/central/connect';
import { normaliseEnrollmentCode } from '../../../src-main/central/device-channel';
import { centralError } from '../../../src-main/central/errors';
import { createTokenVault, type SecretCipher } from '../../../src-main/store/device-credentials';
import { backoffDelay } from '../../../src-main/sync/backoff';
import { makeTempDir } from '../../support/temp-dir';

const temp = makeTempDir();
afterAll(() => temp.cleanup());

describe('backoff', () => {
  it('grows exponentially with jitter in [cap/2, cap] and never exceeds the maximum', () => {
    const options = { baseMs: 100, maxMs: 5000 };
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(4, options, () => 0)).toBe(400);
    expect(backoffDelay(4, options, () => 1)).toBe(800);
    for (let attempt = 1; attempt < 60; attempt++)
      expect(backoffDelay(attempt, options)).toBeLessThanOrEqual(5000);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(6, options)));
    expect(spread.size).toBeGreaterThan(10);
  });
});

describe('token vault', () => {
  it('host mode: a 0600 file that round-trips the token', () => {
    const dir = path.join(temp.dir, 'host');
    const vault = createTokenVault(dir);
    expect(vault.storage).toBe('file');
    vault.save('a'.repeat(64));
    expect(fs.statSync(path.join(dir, 'device-token')).mode & 0o777).toBe(0o600);
    expect(vault.load()).toBe('a'.repeat(64));
    vault.clear();
    expect(vault.load()).toBeUndefined();
  });

  it('shell mode: sealed by the cipher, never stored in clear', () => {
    const dir = path.join(temp.dir, 'shell');
    const cipher: SecretCipher = {
      isEncryptionAvailable: () => true,
      encryptString: (plain) => Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)),
      decryptString: (sealed) => Buffer.from(sealed.map((b) => b ^ 0x5a)).toString('utf8'),
    };
    const vault = createTokenVault(dir, cipher);
    expect(vault.storage).toBe('safeStorage');
    vault.save('secret-token-'.repeat(4));
    expect(fs.readFileSync(path.join(dir, 'device-token')).includes('secret-token')).toBe(false);
    expect(vault.load()).toBe('secret-token-'.repeat(4));
    expect(() => createTokenVault(dir).load()).toThrow(/keychain/);
  });
});

describe('central connection settings', () => {
  it('maps sslMode to pg TLS options (verify-full checks chain and host name)', () => {
    expect(sslConfig('disable')).toBe(false);
    expect(sslConfig('require')).toEqual({ rejectUnauthorized: false });
    const ca = path.join(temp.dir, 'ca.pem');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
    expect(sslConfig('verify-full', ca)).toEqual({
      rejectUnauthorized: true,
      ca: '-----BEGIN CERTIFICATE-----\n',
    });
  });

  it('normalises typed enrollment codes and classifies server errors', () => {
    expect(normaliseEnrollmentCode(' abcd-efgh 1234 ')).toBe('ABCDEFGH1234');
    expect(centralError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'x').code).toBe(
      'UNAVAILABLE',
    );
    expect(
      centralError({ code: '28000', detail: 'revoked', message: 'device token refused' }, 'x').details,
    ).toMatchObject({ reason: 'revoked', tokenRefused: true });
    expect(
      centralError({ code: 'VG409', detail: '1048576', message: 'wrong offset' }, 'x').details,
    ).toMatchObject({ serverOffset: 1048576 });
    expect(centralError({ code: 'VG422', message: 'bad chunk' }, 'x').code).toBe('INTEGRITY');
  });
});
