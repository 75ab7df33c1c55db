// The Updater interface on electron-updater, against the generic update server configured at build
// time (app-update.yml) or overridden by the IT policy (update.url, update.channel). Downgrades are
// never allowed; with update.enabled = false IT pins the version and nothing is fetched.
import electronUpdater from 'electron-updater';
import type { UpdateSettings, UpdateState, Updater } from '../update/updater';
import { noUpdater } from '../update/updater';

export function createElectronUpdater(settings: UpdateSettings, isPackaged: boolean): Updater {
  if (!settings.enabled) return noUpdater('updates are managed by IT (update.enabled is false)');
  if (!isPackaged) return noUpdater('development build');
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.allowDowngrade = false;
  autoUpdater.channel = settings.channel;
  if (settings.url)
    autoUpdater.setFeedURL({ provider: 'generic', url: settings.url, channel: settings.channel });

  let state: UpdateState = { state: 'idle' };
  const listeners = new Set<(state: UpdateState) => void>();
  const set = (next: UpdateState) => {
    state = next;
    for (const listener of listeners) listener(next);
  };
  autoUpdater.on('checking-for-update', () => set({ state: 'checking' }));
  autoUpdater.on('update-not-available', (info) => set({ state: 'up-to-date', version: info.version }));
  autoUpdater.on('update-available', (info) =>
    set({ state: 'downloading', version: info.version, percent: 0 }),
  );
  autoUpdater.on('download-progress', (progress) => {
    if (state.state === 'downloading') set({ ...state, percent: Math.round(progress.percent) });
  });
  autoUpdater.on('update-downloaded', (info) => set({ state: 'downloaded', version: info.version }));
  autoUpdater.on('error', (error) => set({ state: 'error', message: error.message }));

  return {
    check: async () => {
      try {
        await autoUpdater.checkForUpdates();
      } catch (error) {
        set({ state: 'error', message: (error as Error).message });
      }
      return state;
    },
    status: () => state,
    installAndRestart: () => {
      if (state.state === 'downloaded') autoUpdater.quitAndInstall(true, true);
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
