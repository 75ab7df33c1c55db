// The candidate window, created through an injected BrowserWindow constructor so that every
// security-relevant preference is asserted by unit tests without an Electron binary. The options
// are an object literal at the `new BrowserWindow(...)` call on purpose: Electronegativity checks
// them statically and cannot follow them through a helper.
import type { BrowserWindowConstructorOptions } from 'electron';

export interface ShellSettings {
  /** Packaged build: dev tools are off and cannot be opened. */
  production: boolean;
}

export type BrowserWindowConstructor<W> = new (options: BrowserWindowConstructorOptions) => W;

export function createCandidateWindow<W>(
  BrowserWindow: BrowserWindowConstructor<W>,
  preloadPath: string,
  settings: ShellSettings,
): W {
  return new BrowserWindow({
    title: 'Vigil',
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 640,
    show: false,
    backgroundColor: '#f5f6f8',
    autoHideMenuBar: true,
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

/** The options alone (for tests and tools): the same literal, captured instead of constructed. */
export function candidateWindowOptions(
  preloadPath: string,
  settings: ShellSettings = { production: true },
): BrowserWindowConstructorOptions {
  return createCandidateWindow(CapturedOptions, preloadPath, settings).options;
}

class CapturedOptions {
  constructor(readonly options: BrowserWindowConstructorOptions) {}
}
