// Binds the contract to Electron's ipcMain: one invoke channel, the sender frame checked on every
// call, and events forwarded to the app's windows.
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type Result } from '../../src-preload/contract';
import type { Dispatcher } from '../rpc/dispatcher';
import type { EventBus } from '../rpc/event-bus';
import { APP_ORIGIN } from './app-protocol';
import { originOf } from './permissions';

export interface InvokeEventLike {
  senderFrame?: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export function isTrustedSender(event: InvokeEventLike): boolean {
  return originOf(event.senderFrame?.url) === APP_ORIGIN;
}

export function bindContract(ipcMain: IpcMainLike, dispatcher: Dispatcher): () => void {
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, call, request): Promise<Result<unknown>> => {
    if (!isTrustedSender(event)) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'This frame may not call Vigil.' } };
    }
    return dispatcher.dispatch(call, request, { transport: 'electron', origin: APP_ORIGIN });
  });
  return () => ipcMain.removeHandler(IPC_CALL_CHANNEL);
}

export function forwardEvents(events: EventBus, targets: () => EventTarget[]): () => void {
  return events.attach((event, payload) => {
    for (const target of targets()) if (!target.isDestroyed()) target.send(IPC_EVENT_CHANNEL, event, payload);
  });
}
