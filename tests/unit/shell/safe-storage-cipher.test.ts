// The Electron safeStorage adapter for the device token, against a fake safeStorage (the Electron
// runtime is not available on build machines): sealed at rest with no plaintext in the file, the
// Linux basic_text backend treated as no keychain, the 0600 fallback with one warning, the
// requireKeychain policy refusing it, and a token written unsealed sealed once a keychain appears.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSafeStorageCipher, type SafeStorageApi } from '../../../src-main/shell/safe-storage-cipher';
import { createTokenVault } from '../../../src-main/store/device-credentials';
import { makeTempDir } from '../../support/temp-dir';

const temp = makeTempDir();
afterAll(() => temp.cleanup());

type Backend = ReturnType<SafeStorageApi['getSelectedStorageBackend']>;

/** A keychain stand-in: AES-like opacity is not the point, only that the bytes are not the token. */
function fakeSafeStorage(state: { available: boolean; backend: Backend }) {
  const key = randomBytes(32);
  const xor = (data: Buffer) => Buffer.from(data.map((b, i) => b ^ key[i % key.length]!));
  const calls: string[] = [];
  const api: SafeStorageApi = {
    isEncryptionAvailable: () => state.available,
    getSelectedStorageBackend: () => state.backend,
    encryptString: (plain) => {
      calls.push('encrypt');
      if (!state.available) throw new Error('Encryption is not available.');
      return Buffer.concat([Buffer.from('v10'), xor(Buffer.from(plain, 'utf8'))]);
    },
    decryptString: (sealed) => {
      calls.push('decrypt');
      if (!sealed.subarray(0, 3).equals(Buffer.from('v10'))) throw new Error('Error while decrypting');
      return xor(sealed.subarray(3)).toString('utf8');
    },
  };
  return { api, calls };
}

const TOKEN = 'f3a9c0d1e2b34c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5';

function setup(name: string, state: { available: boolean; backend: Backend }, platform: NodeJS.Platform) {
  const dir = path.join(temp.dir, name);
  const fake = fakeSafeStorage(state);
  const warnings: { message: string; details: Record<string, unknown> }[] = [];
  const cipher = createSafeStorageCipher({
    safeStorage: fake.api,
    platform,
    warn: (message, details) => warnings.push({ message, details }),
  });
  return { dir, fake, cipher, warnings, file: path.join(dir, 'device-token') };
}

describe('safeStorage cipher for the device token', () => {
  it('seals the token with the OS keychain: the file holds no plaintext and round-trips', () => {
    const { dir, fake, cipher, warnings, file } = setup(
      'sealed',
      { available: true, backend: 'gnome_libsecret' },
      'linux',
    );
    const vault = createTokenVault(dir, cipher);
    expect(vault.storage).toBe('safeStorage');
    vault.save(TOKEN);
    const bytes = fs.readFileSync(file);
    expect(bytes.includes(TOKEN)).toBe(false);
    expect(bytes.includes(TOKEN.slice(0, 16))).toBe(false);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(createTokenVault(dir, cipher).load()).toBe(TOKEN);
    expect(fake.calls).toEqual(['encrypt', 'decrypt']);
    expect(warnings).toEqual([]);
  });

  it('on Linux the basic_text backend (fixed key) counts as no keychain: 0600 file, one warning', () => {
    const { dir, fake, cipher, warnings, file } = setup(
      'basic',
      { available: true, backend: 'basic_text' },
      'linux',
    );
    expect(cipher.unavailableReason()).toMatch(/basic_text/);
    const vault = createTokenVault(dir, cipher);
    expect(vault.storage).toBe('file');
    vault.save(TOKEN);
    expect(createTokenVault(dir, cipher).load()).toBe(TOKEN);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fake.calls).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.details).toMatchObject({ platform: 'linux' });
    expect(warnings[0]?.message).toMatch(/security\.requireKeychain/);
  });

  it('the Linux backend name does not matter on macOS and Windows', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const { cipher } = setup(`other-${platform}`, { available: true, backend: 'unknown' }, platform);
      expect(cipher.isEncryptionAvailable()).toBe(true);
    }
  });

  it('with security.requireKeychain and no keychain, saving and reading an unsealed token are refused', () => {
    const { dir, cipher, file } = setup('required', { available: false, backend: 'unknown' }, 'win32');
    const vault = createTokenVault(dir, cipher, { requireSealed: true });
    expect(() => vault.save(TOKEN)).toThrow(/IT policy requires the OS keychain/);
    expect(fs.existsSync(file)).toBe(false);
    // A token written before the policy arrived is not handed out unsealed either.
    createTokenVault(dir).save(TOKEN);
    expect(() => vault.load()).toThrow(expect.objectContaining({ code: 'NOT_READY' }));
  });

  it('a token written to the file before the keychain was available is sealed on the next read', () => {
    const state = { available: false, backend: 'gnome_libsecret' as Backend };
    const { dir, cipher, file } = setup('upgrade', state, 'linux');
    createTokenVault(dir, cipher).save(TOKEN);
    expect(fs.readFileSync(file).includes(TOKEN)).toBe(true);
    state.available = true;
    expect(createTokenVault(dir, cipher).load()).toBe(TOKEN);
    expect(fs.readFileSync(file).includes(TOKEN)).toBe(false);
    expect(createTokenVault(dir, cipher).load()).toBe(TOKEN);
  });
});
