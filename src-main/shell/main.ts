// Electron main process. Thin by design: windows, security settings, the app:// protocol, the IPC
// binding and the exam lockdown adapters. Every capability lives in plain-Node services built by
// the composition root.
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  powerMonitor,
  powerSaveBlocker,
  protocol,
  safeStorage,
  screen,
  session,
} from 'electron';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bootApp, type BootedApp } from '../app/boot';
import { serveBlob } from '../review/blob-route';
import { appBuildEvent, checkEvent, hashBuildFiles, listBuildFiles } from '../lockdown/evidence-events';
import { createLockdownMonitor } from '../lockdown/monitor';
import { electronNativePaths } from '../release/electron-native';
import { useSqliteBinding } from '../store/native-binding';
import { deviceLockdownProbes } from '../lockdown/device-probes';
import {
  examLockdownPort,
  lockdownWarningHub,
  onLockdownWarning,
  registerAppBuild,
  registerDisplayProbe,
  registerExamLockdown,
} from '../lockdown/port';
import { applicationMenuTemplate } from './app-menu';
import { APP_ENTRY_URL, APP_SCHEME, createAppProtocolHandler } from './app-protocol';
import { installCspHeaders } from './csp-headers';
import { debuggingLaunchDecision, forbidDevTools } from './devtools';
import { createExamLockdown } from './exam-lockdown';
import { createDiagnosticsSaveDialog } from './diagnostics-dialog';
import { createSafeStorageCipher } from './safe-storage-cipher';
import { createElectronUpdater } from './auto-updater';
import { bindContract, forwardEvents } from './ipc-binding';
import { installNavigationGuards } from './navigation';
import { installPermissionHandlers } from './permissions';
import { openProctorWindow } from './proctor-window';
import { createCandidateWindow } from './window-options';
import { createWindowRegistry, endConsoleLoginOnClose } from './window-registry';
import { createWindowRouter } from './window-router';

const distDir = fileURLToPath(new URL('..', import.meta.url));
const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
// One preload bundle per window: each exposes only its window's contract calls.
const preloadPaths = {
  candidate: fileURLToPath(new URL('../preload/candidate.cjs', import.meta.url)),
  console: fileURLToPath(new URL('../preload/console.cjs', import.meta.url)),
};
const production = app.isPackaged;

// A production launch with a debugging switch ends here, before any window or service exists.
// showErrorBox is usable before 'ready' (it prints to stderr where no dialog can be shown).
const debugging = debuggingLaunchDecision([...process.execArgv, ...process.argv.slice(1)], production);
if (!debugging.allowed) {
  dialog.showErrorBox('Vigil cannot start', debugging.message);
  app.exit(1);
}

// `npm start` runs the app from the repository, whose node_modules/better-sqlite3 is Node's build:
// load the Electron build the start script made beside it. A packaged app's own is Electron's.
if (!app.isPackaged) {
  const native = electronNativePaths(app.getAppPath());
  if (existsSync(native.binding)) useSqliteBinding(native.binding);
}

// Every renderer is sandboxed, whatever a window's own options say.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

let booted: BootedApp | undefined;
// Which window each renderer is: decides the calls main serves it and the events it hears.
const registry = createWindowRegistry();

function openCandidateWindow(): BrowserWindow {
  const window = createCandidateWindow(BrowserWindow, preloadPaths.candidate, { production });
  registry.register(window.webContents, 'candidate');
  window.removeMenu();
  window.once('ready-to-show', () => window.show());
  registerExamLockdown(
    createExamLockdown({
      window,
      webContents: window.webContents,
      screen,
      powerMonitor,
      powerSaveBlocker,
      clipboard,
      sink: lockdownWarningHub,
      platform: process.platform,
      createMonitor: (policy) =>
        createLockdownMonitor({
          probes: deviceLockdownProbes(),
          policy,
          sink: lockdownWarningHub,
          onResult: (result) =>
            booted?.app.context.logger.info({ evidence: checkEvent(result) }, 'lockdown check'),
          skipWarnings: ['displays'],
        }),
    }),
  );
  window.on('closed', () => registerExamLockdown(undefined));
  void window.loadURL(APP_ENTRY_URL);
  return window;
}

// The candidate window, or the proctor console (`--proctor`, a second launch, the app menu): a
// normal window with the same secure preferences, never opened over an exam in lockdown.
const windows = createWindowRouter<BrowserWindow>({
  openCandidate: openCandidateWindow,
  openProctor: () => {
    const window = openProctorWindow(BrowserWindow, preloadPaths.console, { production }, (error) =>
      booted?.app.context.logger.error({ err: error }, 'proctor console failed to load'),
    );
    registry.register(window.webContents, 'console');
    return window;
  },
  lockdownActive: () => examLockdownPort()?.active ?? false,
  onRefused: (reason) => booted?.app.context.logger.warn({ reason }, 'proctor console refused'),
});
let windowsStarted = false;
const launchesDuringStart: string[][] = [];

// A refused debugging launch registers nothing, so nothing can start while it exits.
if (!debugging.allowed || !app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    if (windowsStarted) windows.secondInstance(argv);
    else launchesDuringStart.push(argv);
  });

  app.on('web-contents-created', (_event, contents) => {
    installNavigationGuards(contents, (url) =>
      booted?.app.context.logger.warn({ url }, 'blocked navigation'),
    );
    forbidDevTools(contents, production, () =>
      booted?.app.context.logger.warn('dev tools were opened in production and closed'),
    );
  });

  void app.whenReady().then(async () => {
    // The device token is sealed by the OS keychain (safeStorage is usable only after 'ready').
    const secretCipher = createSafeStorageCipher({
      safeStorage,
      platform: process.platform,
      warn: (message, details) => {
        if (booted) booted.app.context.logger.warn(details, message);
        else process.emitWarning(`${message} (${String(details.reason)})`);
      },
    });
    // A packaged build reads the IT policy only from its OS-protected location (unless IT allows more).
    booted = await bootApp(
      'electron',
      { buildKind: production ? 'production' : 'development' },
      {
        secretCipher,
        // Checks at start and every update.checkIntervalHours, never during an exam (UpdateController).
        updater: (settings) => createElectronUpdater(settings, app.isPackaged),
        chooseDiagnosticsFile: createDiagnosticsSaveDialog({
          dialog,
          parentWindow: () => BrowserWindow.getFocusedWindow(),
          defaultDir: () => app.getPath('desktop'),
        }),
      },
    );
    const logger = booted.app.context.logger;
    onLockdownWarning((warning) => logger.warn({ warning }, 'lockdown warning'));
    const menu = applicationMenuTemplate(process.platform, {
      openProctorConsole: () => void windows.openProctorConsole(),
    });
    Menu.setApplicationMenu(menu ? Menu.buildFromTemplate(menu) : null);
    const consoleSession = booted.app.context.console;
    protocol.handle(
      APP_SCHEME,
      createAppProtocolHandler(rendererDir, (request) => serveBlob(consoleSession.signedInReview, request)),
    );
    installCspHeaders(session.defaultSession.webRequest);
    installPermissionHandlers(session.defaultSession);
    bindContract(ipcMain, booted.app.dispatcher, (senderId) => registry.windowOf(senderId));
    // The console login is its window's: closing that window signs out (the next call needs a login).
    endConsoleLoginOnClose(registry, consoleSession, (error) =>
      logger.warn({ err: error }, 'console sign-out on close failed'),
    );
    forwardEvents(booted.app.events, () => registry.targets());
    // What the server checks against its known releases: version plus a hash of the shipped bundles.
    // If the bundles cannot be read (say, inside an unusual ASAR layout) the hash says so, and the
    // server, which knows no such hash, flags the session instead of trusting it.
    const buildHash = await listBuildFiles(distDir)
      .then((files) => hashBuildFiles(distDir, files))
      .catch((error: unknown) => `unavailable: ${error instanceof Error ? error.message : String(error)}`);
    const build = {
      appVersion: app.getVersion(),
      buildHash,
      electronVersion: process.versions.electron,
      platform: process.platform,
      arch: process.arch,
    };
    registerAppBuild(build);
    logger.info({ evidence: appBuildEvent(build) }, 'app build');
    registerDisplayProbe(() =>
      screen
        .getAllDisplays()
        .map((d) => ({ id: String(d.id), label: d.label, internal: d.internal, bounds: d.bounds })),
    );
    windows.start(process.argv);
    windowsStarted = true;
    for (const argv of launchesDuringStart.splice(0)) windows.secondInstance(argv);
  });

  app.on('window-all-closed', () => {
    void booted?.close().finally(() => app.quit());
  });
}
