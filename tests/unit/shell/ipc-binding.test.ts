// The Electron transport, exercised through the same small interfaces main.ts hands real Electron
// objects to: the preload's api on one side, the shell's ipcMain binding on the other.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createElectronApi, type IpcRendererLike } from '../../../src-preload/electron-api';
import {
  bindContract,
  forwardEvents,
  type InvokeEventLike,
  type IpcMainLike,
} from '../../../src-main/shell/ipc-binding';
import { createTestApp, type TestApp } from '../../support/app';

/** An in-memory stand-in for Electron's IPC pair: invoke → handle, send → on. */
function fakeElectronIpc(frameUrl: string) {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const renderer = new EventEmitter();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const ipcRenderer: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      // Electron structured-clones arguments and results; JSON round trips approximate that here.
      const cloned = JSON.parse(JSON.stringify(args)) as unknown[];
      return JSON.parse(
        JSON.stringify(await handler({ senderFrame: { url: frameUrl } }, ...cloned)),
      ) as unknown;
    },
    on: (channel, listener) => renderer.on(channel, listener),
    removeListener: (channel, listener) => renderer.removeListener(channel, listener),
  };
  const webContents = {
    isDestroyed: () => false,
    send: (channel: string, ...args: unknown[]) => renderer.emit(channel, {}, ...args),
  };
  return { ipcMain, ipcRenderer, webContents, handlers };
}

let t: TestApp;
afterEach(() => t?.cleanup());

describe('Electron IPC binding', () => {
  it('round-trips a call and an event between preload and main', async () => {
    t = createTestApp('electron');
    const ipc = fakeElectronIpc('app://vigil/index.html');
    bindContract(ipc.ipcMain, t.app.dispatcher);
    forwardEvents(t.app.events, () => [ipc.webContents]);
    const api = createElectronApi(ipc.ipcRenderer);

    const info = await api.getAppInfo({});
    expect(info).toMatchObject({ ok: true, value: { name: 'Vigil', mode: 'electron' } });

    const received: unknown[] = [];
    const off = api.on('pong', (payload) => received.push(payload));
    const reply = await api.ping({ nonce: 'n-1', emitEvent: true });
    expect(reply).toMatchObject({ ok: true, value: { nonce: 'n-1' } });
    expect(received).toEqual([expect.objectContaining({ nonce: 'n-1' })]);
    off();
    await api.ping({ nonce: 'n-2', emitEvent: true });
    expect(received).toHaveLength(1);
  });

  it('refuses calls from a frame that is not the app', async () => {
    t = createTestApp('electron');
    const ipc = fakeElectronIpc('https://attacker.example/page');
    bindContract(ipc.ipcMain, t.app.dispatcher);
    const api = createElectronApi(ipc.ipcRenderer);
    expect(await api.getAppInfo({})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('answers malformed calls with typed errors', async () => {
    t = createTestApp('electron');
    const ipc = fakeElectronIpc('app://vigil/index.html');
    bindContract(ipc.ipcMain, t.app.dispatcher);
    const raw = (call: string, request: unknown) => ipc.ipcRenderer.invoke('vigil:call', call, request);
    expect(await raw('nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
    expect(await raw('ping', { nonce: ['x'] })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await raw('ping', { nonce: 'ok' })).toMatchObject({ ok: true });
  });
});
