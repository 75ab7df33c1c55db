// Electron preload (sandboxed): exposes one function per contract call as `window.vigil`.
// The raw ipcRenderer is never exposed (a lint rule enforces it).
import { contextBridge, ipcRenderer } from 'electron';
import { createElectronApi } from './electron-api';

contextBridge.exposeInMainWorld('vigil', createElectronApi(ipcRenderer));
