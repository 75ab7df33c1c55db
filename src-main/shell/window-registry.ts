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
  windowOf(senderId: number | undefined): WindowKind | undefined;
  targets(): WindowTarget[];
}

export function createWindowRegistry(): WindowRegistry {
  const entries = new Map<number, { window: WindowKind; contents: RegisteredContents }>();
  return {
    register(contents, window) {
      entries.set(contents.id, { window, contents });
      contents.once('destroyed', () => {
        if (entries.get(contents.id)?.contents === contents) entries.delete(contents.id);
      });
    },
    windowOf: (senderId) => (senderId === undefined ? undefined : entries.get(senderId)?.window),
    targets: () => [...entries.values()].map(({ window, contents }) => ({ window, target: contents })),
  };
}
