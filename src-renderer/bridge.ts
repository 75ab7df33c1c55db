// Finds the contract for the window this page is: `window.vigil` from the window's Electron
// preload, or a connection to the headless host's WebSocket that declares the window, when the
// renderer runs in a normal browser. Either way the page gets only its window's calls.
import type { AnyWindowApi, WindowKind } from '../src-preload/contract-windows';
import { connectWsBridge, takeHostToken, type WsBridge } from '../src-preload/ws-bridge';

declare global {
  interface Window {
    /** Set by the window's Electron preload (src-preload/candidate-preload.ts, console-preload.ts). */
    vigil?: AnyWindowApi;
  }
}

export type BridgeState =
  | { status: 'ready'; window: WindowKind; api: AnyWindowApi }
  | { status: 'failed'; window: WindowKind; message: string };

const otherWindow: Record<WindowKind, string> = {
  candidate: 'This is the review console window: exams run in the Vigil window.',
  console: 'The review console opens in its own window: start Vigil with --proctor or use the app menu.',
};

/** The host connection of this page, replaced when the page moves to the other window's routes. */
let hostBridge: WsBridge<'candidate'> | WsBridge<'console'> | undefined;

export async function resolveBridge(window: WindowKind): Promise<BridgeState> {
  const preloaded = globalThis.window.vigil;
  if (preloaded) {
    // Electron: the preload decided the window when main created it; a route cannot change it.
    if (preloaded.window !== window) return { status: 'failed', window, message: otherWindow[window] };
    return { status: 'ready', window, api: preloaded };
  }
  if (hostBridge?.api.window === window) return { status: 'ready', window, api: hostBridge.api };
  const { location, sessionStorage, history } = globalThis.window;
  const token = takeHostToken(location, sessionStorage, history);
  if (!token) {
    return {
      status: 'failed',
      window,
      message: 'This page needs the link printed by `vigil host` (it carries a one-time access token).',
    };
  }
  hostBridge?.close();
  const url = `ws://${location.host}/vigil`;
  const bridge =
    window === 'candidate'
      ? connectWsBridge({ url, token, window: 'candidate' })
      : connectWsBridge({ url, token, window: 'console' });
  hostBridge = bridge;
  try {
    await bridge.ready;
  } catch {
    return {
      status: 'failed',
      window,
      message: 'Cannot reach the Vigil host. Is `vigil host` still running?',
    };
  }
  return { status: 'ready', window, api: bridge.api };
}
