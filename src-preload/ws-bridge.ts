// `window.vigil` over the headless host's loopback WebSocket: the same contract as Electron IPC,
// used when the renderer runs in a normal browser (demo, end-to-end tests, browser development).
import { buildWindowApi } from './api';
import type { ContractError, EventName, Result } from './contract';
import type { WindowApi, WindowKind } from './contract-windows';
import { decodeWire, encodeWire, type ServerMessage } from './wire';

const TOKEN_KEY = 'vigil.hostToken';
const OPEN = 1; // WebSocket.OPEN, spelled out so non-browser socket classes work too

export interface WsBridgeOptions<W extends WindowKind> {
  /** ws:// URL of the host's contract endpoint, without the token. */
  url: string;
  token: string;
  /** The window this page is: the host serves this connection only that window's calls and events. */
  window: W;
  /** Called when the connection is lost for good (the host stopped or refused us). */
  onFatal?: (error: ContractError) => void;
  /** Socket factory; defaults to the browser's WebSocket (Node callers pass the `ws` package's). */
  createSocket?: (url: string) => WebSocket;
}

export interface WsBridge<W extends WindowKind> {
  api: WindowApi<W>;
  ready: Promise<void>;
  close(): void;
}

export function connectWsBridge<W extends WindowKind>(options: WsBridgeOptions<W>): WsBridge<W> {
  const url = `${options.url}?window=${options.window}&token=${encodeURIComponent(options.token)}`;
  const socket = options.createSocket ? options.createSocket(url) : new WebSocket(url);
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let closedError: ContractError | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('Cannot reach the Vigil host')), { once: true });
  });

  const failAll = (error: ContractError) => {
    closedError = error;
    for (const settle of pending.values()) settle({ ok: false, error });
    pending.clear();
    options.onFatal?.(error);
  };

  socket.addEventListener('message', (event: MessageEvent) => {
    const message = decodeWire(String(event.data)) as ServerMessage;
    if ('id' in message) {
      const settle = pending.get(message.id);
      pending.delete(message.id);
      settle?.(message.result);
    } else if ('event' in message) {
      for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
    } else if ('fatal' in message) {
      failAll(message.fatal);
    }
  });
  socket.addEventListener('close', () => {
    failAll(closedError ?? { code: 'TRANSPORT', message: 'The connection to Vigil was closed.' });
  });

  const invoke = async (call: string, request: unknown): Promise<Result<unknown>> => {
    if (closedError) return { ok: false, error: closedError };
    await ready.catch(() => undefined);
    if (socket.readyState !== OPEN) {
      return { ok: false, error: { code: 'TRANSPORT', message: 'Not connected to Vigil.' } };
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      socket.send(encodeWire({ id, call, request }));
    });
  };

  const subscribe = (event: EventName, listener: (payload: unknown) => void) => {
    const set = listeners.get(event) ?? new Set();
    set.add(listener);
    listeners.set(event, set);
    return () => set.delete(listener);
  };

  return { api: buildWindowApi(options.window, invoke, subscribe), ready, close: () => socket.close() };
}

/**
 * Reads the per-run token the host put in the page URL's fragment (never sent to the server in
 * HTTP requests), keeps it for reloads in sessionStorage, and removes it from the address bar.
 */
export function takeHostToken(
  location: { hash: string; pathname: string; search: string },
  storage: { getItem(key: string): string | null; setItem(key: string, value: string): void },
  history: { replaceState(data: unknown, unused: string, url?: string): void },
): string | undefined {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    storage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  return storage.getItem(TOKEN_KEY) ?? undefined;
}
