// Which window each of the app's WebContents is. Main registers a window's contents when it opens
// it (candidate or console); the IPC binding asks here which calls a sender may make and which
// events it hears. Contents that were never registered (or are gone) get nothing.
import type { WindowKind } from '../../src-preload/contract-windows';
import type { EventTarget, WindowTarget } from './ipc-binding';

export interface RegisteredContents extends EventTarget {
  readonly id: number;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface WindowRegistry {
  register(contents: RegisteredContents, window: WindowKind): void;
  /** Called with a registered window's contents id and kind once it is gone (closed or crashed away). */
  onClosed(listener: (id: number, window: WindowKind) => void): void;
  windowOf(senderId: number | undefined): WindowKind | undefined;
  targets(): WindowTarget[];
}

export function createWindowRegistry(): WindowRegistry {
  const entries = new Map<number, { window: WindowKind; contents: RegisteredContents }>();
  const closed: ((id: number, window: WindowKind) => void)[] = [];
  return {
    register(contents, window) {
      entries.set(contents.id, { window, contents });
      contents.once('destroyed', () => {
        if (entries.get(contents.id)?.contents !== contents) return;
        entries.delete(contents.id);
        for (const listener of closed) listener(contents.id, window);
      });
    },
    onClosed: (listener) => void closed.push(listener),
    windowOf: (senderId) => (senderId === undefined ? undefined : entries.get(senderId)?.window),
    targets: () => [...entries.values()].map(({ window, contents }) => ({ window, target: contents })),
  };
}

/** The part of the console session that closing its window ends (review/console-session.ts). */
export interface ConsoleLoginLike {
  endWindow(id: number): Promise<void>;
}

/**
 * The console login belongs to the console window that signed in: when that window is gone the
 * login ends, so a console window opened later (or anything else) must sign in again.
 */
export function endConsoleLoginOnClose(
  registry: WindowRegistry,
  login: ConsoleLoginLike,
  onError?: (error: unknown) => void,
): void {
  registry.onClosed((id, window) => {
    if (window === 'console') login.endWindow(id).catch((error: unknown) => onError?.(error));
  });
}
