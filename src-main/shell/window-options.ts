// Window settings of the candidate window. Kept pure so that every security-relevant preference is
// asserted by unit tests without an Electron binary.
import type { BrowserWindowConstructorOptions } from 'electron';

export function candidateWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
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
    },
  };
}
