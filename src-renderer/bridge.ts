// Finds `window.vigil`: provided by the Electron preload, or built here over the headless host's
// WebSocket when the renderer runs in a normal browser.
import type { VigilApi } from '../src-preload/contract';
import { connectWsBridge, takeHostToken } from '../src-preload/ws-bridge';

declare global {
  interface Window {
    vigil?: VigilApi;
  }
}

export type BridgeState = { status: 'ready'; api: VigilApi } | { status: 'failed'; message: string };

export async function resolveBridge(): Promise<BridgeState> {
  if (window.vigil) return { status: 'ready', api: window.vigil };
  const token = takeHostToken(window.location, window.sessionStorage, window.history);
  if (!token) {
    return {
      status: 'failed',
      message: 'This page needs the link printed by `vigil host` (it carries a one-time access token).',
    };
  }
  const bridge = connectWsBridge({ url: `ws://${window.location.host}/vigil`, token });
  try {
    await bridge.ready;
  } catch {
    return { status: 'failed', message: 'Cannot reach the Vigil host. Is `vigil host` still running?' };
  }
  window.vigil = bridge.api;
  return { status: 'ready', api: bridge.api };
}
