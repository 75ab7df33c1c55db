// Electron preload (sandboxed): exposes one window's contract calls as `window.vigil`. Each window
// has its own bundle (candidate-preload.ts, console-preload.ts) calling this with its window, so
// the candidate window's page holds no console function at all. The raw ipcRenderer is never
// exposed (a lint rule enforces it); this is the one preload file that imports electron.
import { contextBridge, ipcRenderer } from 'electron';
import type { WindowKind } from './contract-windows';
import { createElectronApi } from './electron-api';

export function exposeWindowApi(window: WindowKind): void {
  contextBridge.exposeInMainWorld('vigil', createElectronApi(ipcRenderer, window));
}
