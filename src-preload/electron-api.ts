// `window.vigil` over Electron IPC, written against a minimal ipcRenderer interface so it can be
// tested without Electron. The window's preload entry passes the real ipcRenderer and its window;
// the ipcRenderer itself is never exposed.
import { buildWindowApi } from './api';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type Result } from './contract';
import type { WindowApi, WindowKind } from './contract-windows';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createElectronApi<W extends WindowKind>(ipc: IpcRendererLike, window: W): WindowApi<W> {
  return buildWindowApi(
    window,
    (call, request) => ipc.invoke(IPC_CALL_CHANNEL, call, request) as Promise<Result<unknown>>,
    (event, listener) => {
      const handler = (_event: unknown, ...args: unknown[]) => {
        if (args[0] === event) listener(args[1]);
      };
      ipc.on(IPC_EVENT_CHANNEL, handler);
      return () => {
        ipc.removeListener(IPC_EVENT_CHANNEL, handler);
      };
    },
  );
}
