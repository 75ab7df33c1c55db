// The UpdaterPort on electron-updater, against the generic update server configured at build time
// (app-update.yml) or overridden by the IT policy (update.url, update.channel). Downgrades are never
// allowed; with update.enabled = false IT pins the version and nothing is fetched. Downloads are
// started by UpdateController (autoDownload off), which keeps them and the restart out of exams.
import electronUpdater from 'electron-updater';
import type { UpdateSettings, UpdaterPort } from '../update/updater';

export function createElectronUpdater(
  settings: UpdateSettings,
  isPackaged: boolean,
): UpdaterPort | { disabled: string } {
  if (!settings.enabled) return { disabled: 'Updates on this computer are managed by your IT team.' };
  if (!isPackaged) return { disabled: 'This is a development build: it is not updated automatically.' };
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = false;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.allowDowngrade = false;
  autoUpdater.channel = settings.channel;
  if (settings.url)
    autoUpdater.setFeedURL({ provider: 'generic', url: settings.url, channel: settings.channel });
  // Failures reach the controller as rejected promises; electron-updater's own 'error' listener
  // (AppUpdater's constructor) logs the event, so emitting it never throws.
  return {
    check: async () => {
      const result = await autoUpdater.checkForUpdates();
      return result?.isUpdateAvailable ? { version: result.updateInfo.version } : null;
    },
    download: async (onProgress) => {
      const listener = (progress: { percent: number }) => onProgress(progress.percent);
      autoUpdater.on('download-progress', listener);
      try {
        // Rejects with ERR_UPDATER_INVALID_SIGNATURE / ERR_CHECKSUM_MISMATCH (see classifyUpdateFailure).
        await autoUpdater.downloadUpdate();
      } finally {
        autoUpdater.off('download-progress', listener);
      }
    },
    setInstallOnQuit: (allowed) => {
      autoUpdater.autoInstallOnAppQuit = allowed;
    },
    quitAndInstall: () => autoUpdater.quitAndInstall(true, true),
  };
}
