// Where the device tokens live at rest (one per enrollment; enrollments.ts names each one's file). The shell passes a SecretCipher backed by Electron's
// safeStorage (OS keychain); the headless host has none and keeps the token in a 0600 file. Only the
// token is secret: the device row in SQLite records which storage holds it. With `requireSealed`
// (IT policy security.requireKeychain) a token is never written unsealed; a token written to the
// file before the keychain was available is sealed the next time it is read.
import fs from 'node:fs';
import path from 'node:path';
import { VigilError } from '../errors';

/** Electron safeStorage fits this shape; the shell adapts it (src-main never imports electron). */
export interface SecretCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface TokenVault {
  readonly storage: 'file' | 'safeStorage';
  save(token: string): void;
  load(): string | undefined;
  clear(): void;
}

const MAGIC_PLAIN = 'vigil-token-plain:';
const MAGIC_SEALED = Buffer.from('vigil-token-sealed:');

export interface TokenVaultOptions {
  /** Refuse to keep the token unsealed (IT policy security.requireKeychain). */
  requireSealed?: boolean;
  /** The token's file name in the data folder (default `device-token`, the first enrollment's). */
  file?: string;
}

/** The vaults of every enrollment on this installation: one file each, the same sealing for all. */
export interface TokenVaults {
  readonly storage: 'file' | 'safeStorage';
  forFile(file: string): TokenVault;
}

export function createTokenVaults(
  dataDir: string,
  cipher?: SecretCipher,
  options: Omit<TokenVaultOptions, 'file'> = {},
): TokenVaults {
  return {
    storage: cipher?.isEncryptionAvailable() === true ? 'safeStorage' : 'file',
    forFile: (file) => createTokenVault(dataDir, cipher, { ...options, file }),
  };
}

export function createTokenVault(
  dataDir: string,
  cipher?: SecretCipher,
  options: TokenVaultOptions = {},
): TokenVault {
  const name = options.file ?? 'device-token';
  if (path.basename(name) !== name || !name.startsWith('device-token'))
    throw new VigilError('INTERNAL', `Not a token file name: ${name}.`);
  const file = path.join(dataDir, name);
  const sealed = cipher?.isEncryptionAvailable() === true;
  const refuseUnsealed = () => {
    throw new VigilError(
      'NOT_READY',
      'IT policy requires the OS keychain for the device token, and it is not available on this computer. ' +
        'Sign in to a desktop session with a keychain (on Linux: GNOME Keyring or KWallet) or ask IT.',
      { policyKey: 'security.requireKeychain' },
    );
  };
  const writeFile = (data: Buffer) => {
    fs.mkdirSync(dataDir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, data, { mode: 0o600 });
    fs.chmodSync(temp, 0o600);
    fs.renameSync(temp, file);
  };
  return {
    storage: sealed ? 'safeStorage' : 'file',
    save(token) {
      if (sealed && cipher) writeFile(Buffer.concat([MAGIC_SEALED, cipher.encryptString(token)]));
      else if (options.requireSealed) refuseUnsealed();
      else writeFile(Buffer.from(MAGIC_PLAIN + token, 'utf8'));
    },
    load() {
      if (!fs.existsSync(file)) return undefined;
      const data = fs.readFileSync(file);
      if (data.subarray(0, MAGIC_SEALED.length).equals(MAGIC_SEALED)) {
        if (!cipher?.isEncryptionAvailable()) {
          throw new VigilError(
            'NOT_READY',
            'The device token is sealed by the OS keychain, which is not available now.',
          );
        }
        return cipher.decryptString(data.subarray(MAGIC_SEALED.length));
      }
      const text = data.toString('utf8');
      if (!text.startsWith(MAGIC_PLAIN))
        throw new VigilError('INTEGRITY', `The device token file ${file} is damaged; enroll again.`);
      const token = text.slice(MAGIC_PLAIN.length);
      if (sealed && cipher) writeFile(Buffer.concat([MAGIC_SEALED, cipher.encryptString(token)]));
      else if (options.requireSealed) refuseUnsealed();
      return token;
    },
    clear() {
      fs.rmSync(file, { force: true });
    },
  };
}
