// Builds `window.vigil` for one window from two transport primitives. Shared by the Electron
// preloads and the WebSocket bridge so that both expose exactly one function per call of that
// window's group (contract-windows.ts), and nothing of the other window's.
import type { CallName, EventName, Result } from './contract';
import { isWindowEvent, windowCallNames, type WindowApi, type WindowKind } from './contract-windows';

export type Invoke = (call: CallName, request: unknown) => Promise<Result<unknown>>;
export type Subscribe = (event: EventName, listener: (payload: unknown) => void) => () => void;

export function buildWindowApi<W extends WindowKind>(
  window: W,
  invoke: Invoke,
  subscribe: Subscribe,
): WindowApi<W> {
  const api: Record<string, unknown> = { window };
  for (const name of windowCallNames(window)) {
    api[name] = (request: unknown) => invoke(name, request ?? {});
  }
  api.on = (event: EventName, listener: (payload: unknown) => void) => {
    // Main never sends this window another window's events; asking for one is a bug in the page.
    if (!isWindowEvent(window, event)) throw new TypeError(`The ${window} window has no '${event}' event.`);
    return subscribe(event, listener);
  };
  return Object.freeze(api) as unknown as WindowApi<W>;
}
