// The proctor console window: a normal window of the same app (movable, resizable, minimizable, in
// the task bar; never kiosk, fullscreen, always-on-top or hidden from capture) that loads the
// console route over app://, with exactly the candidate window's secure web preferences. Created
// through an injected BrowserWindow constructor so tests assert every option without Electron. The
// options are an object literal at the `new BrowserWindow(...)` call on purpose: Electronegativity
// checks them statically and cannot follow them through a helper.
import { APP_ENTRY_URL } from './app-protocol';
import type { BrowserWindowConstructor, ShellSettings } from './window-options';

/** The console's hash route in the renderer (src-renderer/App.tsx). */
export const PROCTOR_ENTRY_URL = `${APP_ENTRY_URL}#/proctor`;

export function createProctorWindow<W>(
  BrowserWindow: BrowserWindowConstructor<W>,
  preloadPath: string,
  settings: ShellSettings,
): W {
  return new BrowserWindow({
    title: 'Vigil · Review',
    width: 1400,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    show: false,
    backgroundColor: '#f5f6f8',
    autoHideMenuBar: true,
    kiosk: false,
    fullscreen: false,
    alwaysOnTop: false,
    skipTaskbar: false,
    minimizable: true,
    maximizable: true,
    resizable: true,
    movable: true,
    closable: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: !settings.production,
      // Middle-click (auxclick) can open links in new windows; the renderer never needs it.
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

/** The part of Electron's BrowserWindow that opening the console uses. */
export interface ProctorWindowLike {
  removeMenu(): void;
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  loadURL(url: string): Promise<void>;
}

/** Creates the console window, shows it once painted and loads the console route. */
export function openProctorWindow<W extends ProctorWindowLike>(
  BrowserWindow: BrowserWindowConstructor<W>,
  preloadPath: string,
  settings: ShellSettings,
  onLoadError?: (error: unknown) => void,
): W {
  const window = createProctorWindow(BrowserWindow, preloadPath, settings);
  // No menu bar with reload or dev-tools accelerators (Windows and Linux; macOS has the app menu).
  window.removeMenu();
  window.once('ready-to-show', () => window.show());
  window.loadURL(PROCTOR_ENTRY_URL).catch((error: unknown) => onLoadError?.(error));
  return window;
}
