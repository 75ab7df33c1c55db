// The device token's at-rest protection in the Electron app: a SecretCipher over Electron's
// safeStorage (Keychain on macOS, DPAPI on Windows, libsecret/KWallet on Linux). On Linux without
// a secret service, safeStorage still "encrypts" with a hard-coded key (backend basic_text): that
// is obfuscation, not protection, so it counts as unavailable here. When unavailable, the vault
// keeps the token in a 0600 file and this logs a warning once; the IT policy key
// security.requireKeychain turns that fallback into a refusal (see createTokenVault).
import type { SafeStorage } from 'electron';
import type { SecretCipher } from '../store/device-credentials';

/** The part of Electron's safeStorage used here (tests pass a fake). */
export type SafeStorageApi = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

/** Linux backends that do not protect anything: basic_text uses a fixed key; unknown = before ready. */
const UNPROTECTED_LINUX_BACKENDS = new Set(['basic_text', 'unknown']);

export interface SafeStorageCipherOptions {
  safeStorage: SafeStorageApi;
  platform: NodeJS.Platform;
  /** Told once, the first time the keychain is found unavailable. */
  warn: (message: string, details: Record<string, unknown>) => void;
}

export interface SafeStorageCipher extends SecretCipher {
  /** Why the keychain is not used, or undefined when it is. */
  unavailableReason(): string | undefined;
}

export function createSafeStorageCipher(options: SafeStorageCipherOptions): SafeStorageCipher {
  const { safeStorage, platform } = options;
  let warned = false;
  const unavailableReason = (): string | undefined => {
    if (!safeStorage.isEncryptionAvailable()) return 'the OS keychain is not available';
    if (platform === 'linux') {
      const backend = safeStorage.getSelectedStorageBackend();
      if (UNPROTECTED_LINUX_BACKENDS.has(backend))
        return `no secret service (libsecret or KWallet) is running; safeStorage backend is ${backend}`;
    }
    return undefined;
  };
  return {
    unavailableReason,
    isEncryptionAvailable() {
      const reason = unavailableReason();
      if (reason && !warned) {
        warned = true;
        options.warn(
          'The OS keychain cannot seal the device token: it goes to a file only this account can read, or is refused when the IT policy sets security.requireKeychain.',
          { reason, platform },
        );
      }
      return reason === undefined;
    },
    encryptString: (plain) => safeStorage.encryptString(plain),
    decryptString: (encrypted) => safeStorage.decryptString(encrypted),
  };
}
