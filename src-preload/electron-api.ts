// `window.vigil` over Electron IPC, written against a minimal ipcRenderer interface so it can be
// tested without Electron. index.ts passes the real ipcRenderer; it is never exposed itself.
import { buildVigilApi } from './api';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type Result, type VigilApi } from './contract';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createElectronApi(ipc: IpcRendererLike): VigilApi {
  return buildVigilApi(
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
