// Electron main process. Thin by design: windows, security settings, the app:// protocol and the
// IPC binding. Every capability lives in plain-Node services built by the composition root.
import { app, BrowserWindow, ipcMain, protocol, session, webContents } from 'electron';
import { fileURLToPath } from 'node:url';
import { bootApp, type BootedApp } from '../app/boot';
import { APP_ENTRY_URL, APP_SCHEME, createAppProtocolHandler } from './app-protocol';
import { createElectronUpdater } from './auto-updater';
import { bindContract, forwardEvents } from './ipc-binding';
import { installNavigationGuards } from './navigation';
import { installPermissionHandlers } from './permissions';
import { candidateWindowOptions } from './window-options';

const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

let booted: BootedApp | undefined;
let candidateWindow: BrowserWindow | undefined;

function createCandidateWindow(): BrowserWindow {
  const window = new BrowserWindow(candidateWindowOptions(preloadPath));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (candidateWindow?.isMinimized()) candidateWindow.restore();
    candidateWindow?.focus();
  });

  app.on('web-contents-created', (_event, contents) => {
    installNavigationGuards(contents, (url) =>
      booted?.app.context.logger.warn({ url }, 'blocked navigation'),
    );
  });

  void app.whenReady().then(async () => {
    booted = await bootApp('electron');
    protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
    installPermissionHandlers(session.defaultSession);
    bindContract(ipcMain, booted.app.dispatcher);
    forwardEvents(booted.app.events, () => webContents.getAllWebContents());
    candidateWindow = createCandidateWindow();
    // Background update check (generic server, staged rollout, never a downgrade; off when IT pins).
    const updater = createElectronUpdater(booted.app.context.loaded.config.update, app.isPackaged);
    updater.onChange((state) => booted?.app.context.logger.info({ update: state }, 'update state'));
    void updater.check();
  });

  app.on('window-all-closed', () => {
    void booted?.close().finally(() => app.quit());
  });
}
