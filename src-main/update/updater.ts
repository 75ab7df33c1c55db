// What the app needs from auto-update, as a small port: the Electron shell implements it with
// electron-updater (src-main/shell/auto-updater.ts); the headless host has none (updates are off
// there) and the tests use a fake. The decisions (when to check, when a download may start, when a
// restart may be offered) are UpdateController's (update-controller.ts), not the port's.
// Staged rollout is server-side: electron-updater reads `stagingPercentage` from latest*.yml and
// puts each installation in or out of the stage with a stable per-machine id.

export interface UpdaterPort {
  /** Asks the update server; the newer version staged for this machine, or null when up to date. */
  check(): Promise<{ version: string } | null>;
  /** Downloads the version the last check found and verifies it (checksum, publisher signature). */
  download(onProgress: (percent: number) => void): Promise<void>;
  /** Whether quitting the app installs a downloaded version (never while an exam is in progress). */
  setInstallOnQuit(allowed: boolean): void;
  /** Quits and restarts into the downloaded version. */
  quitAndInstall(): void;
}

export interface UpdateSettings {
  enabled: boolean;
  url?: string;
  channel: string;
  /** Hours between background checks after the one at start. */
  checkIntervalHours: number;
}

/** An error from the updater with the code electron-updater gives it (builder-util-runtime newError). */
export interface UpdaterFailure {
  message: string;
  code?: string;
}

export type UpdateFailureReason = 'unsigned' | 'corrupt' | 'offline' | 'failed';

/**
 * What went wrong, from electron-updater 6.x's error codes and messages:
 * - `ERR_UPDATER_INVALID_SIGNATURE` — NsisUpdater.js: "New version X is not signed by the
 *   application owner" (Windows Authenticode publisher check of the downloaded installer);
 * - Squirrel.Mac's own refusal of an update whose code signature does not match ("Code signature at
 *   URL … did not pass validation"), which MacUpdater passes through as the error's message;
 * - `ERR_CHECKSUM_MISMATCH` — builder-util-runtime httpExecutor.js DigestTransform: the file's
 *   sha512 differs from latest.yml's (a truncated or altered download);
 * - network errors (Node's ENOTFOUND/ECONNREFUSED/ETIMEDOUT…, Chromium's net::ERR_…): no server.
 */
export function classifyUpdateFailure(failure: UpdaterFailure): UpdateFailureReason {
  const { code, message } = failure;
  if (
    code === 'ERR_UPDATER_INVALID_SIGNATURE' ||
    /not signed by the application owner|code signature/i.test(message)
  )
    return 'unsigned';
  if (code === 'ERR_CHECKSUM_MISMATCH' || /checksum mismatch/i.test(message)) return 'corrupt';
  if (
    (code !== undefined &&
      /^(ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH)$/.test(code)) ||
    /net::ERR_|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENETUNREACH/.test(message)
  )
    return 'offline';
  return 'failed';
}
