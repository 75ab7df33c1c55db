// Binds the contract to Electron's ipcMain: one invoke channel, the sender checked on every call
// (the app's own origin, and a window main opened), each window served only its own calls, and
// events forwarded to the windows whose group they belong to.
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type Result } from '../../src-preload/contract';
import { isWindowEvent, windowKinds, type WindowKind } from '../../src-preload/contract-windows';
import { dispatcherForWindow, type Dispatcher } from '../rpc/dispatcher';
import type { EventBus } from '../rpc/event-bus';
import { APP_ORIGIN } from './app-protocol';
import { originOf } from './permissions';

export interface InvokeEventLike {
  senderFrame?: { url: string } | null;
  /** The sending WebContents; its id says which window (see window-registry.ts). */
  sender?: { id: number } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/** A window's renderer as events reach it. */
export interface WindowTarget {
  window: WindowKind;
  target: EventTarget;
}

export function isTrustedSender(event: InvokeEventLike): boolean {
  return originOf(event.senderFrame?.url) === APP_ORIGIN;
}

/**
 * `windowOf` names the window of a sender's WebContents id, or undefined for contents main did not
 * open as a window (then nothing is served). The page's URL is not used for this: a page can change
 * its own hash, not the window main created it in.
 */
export function bindContract(
  ipcMain: IpcMainLike,
  dispatcher: Dispatcher,
  windowOf: (senderId: number | undefined) => WindowKind | undefined,
): () => void {
  const scoped = Object.fromEntries(
    windowKinds.map((window) => [window, dispatcherForWindow(dispatcher, window)]),
  ) as Record<WindowKind, Dispatcher>;
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, call, request): Promise<Result<unknown>> => {
    const window = isTrustedSender(event) ? windowOf(event.sender?.id) : undefined;
    if (!window) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'This frame may not call Vigil.' } };
    }
    return scoped[window].dispatch(call, request, {
      transport: 'electron',
      origin: APP_ORIGIN,
      ...(event.sender ? { senderId: event.sender.id } : {}),
    });
  });
  return () => ipcMain.removeHandler(IPC_CALL_CHANNEL);
}

export function forwardEvents(events: EventBus, targets: () => WindowTarget[]): () => void {
  return events.attach((event, payload) => {
    for (const { window, target } of targets())
      if (isWindowEvent(window, event) && !target.isDestroyed())
        target.send(IPC_EVENT_CHANNEL, event, payload);
  });
}
