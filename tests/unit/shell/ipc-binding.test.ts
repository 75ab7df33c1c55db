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
import { createWindowRegistry } from '../../../src-main/shell/window-registry';
import { createTestApp, type TestApp } from '../../support/app';
import { FakeEmitter } from '../../support/electron-fakes';

let nextContentsId = 1;

/** An in-memory stand-in for Electron's IPC pair of one window: invoke → handle, send → on. */
function fakeElectronIpc(frameUrl: string) {
  const senderId = nextContentsId++;
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
        JSON.stringify(
          await handler({ senderFrame: { url: frameUrl }, sender: { id: senderId } }, ...cloned),
        ),
      ) as unknown;
    },
    on: (channel, listener) => renderer.on(channel, listener),
    removeListener: (channel, listener) => renderer.removeListener(channel, listener),
  };
  // The window's WebContents as main registers it: its id, send, and 'destroyed' when closed.
  class FakeWebContents extends FakeEmitter {
    readonly id = senderId;
    destroyed = false;
    isDestroyed() {
      return this.destroyed;
    }
    send(channel: string, ...args: unknown[]) {
      renderer.emit(channel, {}, ...args);
    }
    once(event: string, listener: () => void) {
      return this.on(event, listener);
    }
  }
  const webContents = new FakeWebContents();
  return { ipcMain, ipcRenderer, webContents, handlers };
}

/** Main with one IPC handler and a candidate and a console window registered, as main.ts does. */
function twoWindows(app: TestApp['app']) {
  const registry = createWindowRegistry();
  const candidate = fakeElectronIpc('app://vigil/index.html');
  const console = fakeElectronIpc('app://vigil/index.html#/proctor');
  // Both windows share ipcMain in Electron: route the console's invokes to the candidate's handler map.
  bindContract(candidate.ipcMain, app.dispatcher, (id) => registry.windowOf(id));
  console.handlers.set('vigil:call', candidate.handlers.get('vigil:call')!);
  registry.register(candidate.webContents, 'candidate');
  registry.register(console.webContents, 'console');
  forwardEvents(app.events, () => registry.targets());
  return { registry, candidate, console };
}

const raw = (ipc: ReturnType<typeof fakeElectronIpc>, call: string, request: unknown) =>
  ipc.ipcRenderer.invoke('vigil:call', call, request);

let t: TestApp;
afterEach(() => t?.cleanup());

describe('Electron IPC binding', () => {
  it('round-trips a call and an event between preload and main', async () => {
    t = createTestApp('electron');
    const { candidate: ipc } = twoWindows(t.app);
    const api = createElectronApi(ipc.ipcRenderer, 'candidate');

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
    const registry = createWindowRegistry();
    registry.register(ipc.webContents, 'candidate');
    bindContract(ipc.ipcMain, t.app.dispatcher, (id) => registry.windowOf(id));
    const api = createElectronApi(ipc.ipcRenderer, 'candidate');
    expect(await api.getAppInfo({})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // The app's own origin, but contents main never opened as a window (or one since closed).
    const stray = fakeElectronIpc('app://vigil/index.html');
    bindContract(stray.ipcMain, t.app.dispatcher, (id) => registry.windowOf(id));
    expect(await raw(stray, 'ping', { nonce: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const closing = fakeElectronIpc('app://vigil/index.html');
    bindContract(closing.ipcMain, t.app.dispatcher, (id) => registry.windowOf(id));
    registry.register(closing.webContents, 'candidate');
    expect(await raw(closing, 'ping', { nonce: 'x' })).toMatchObject({ ok: true });
    closing.webContents.emit('destroyed');
    expect(await raw(closing, 'ping', { nonce: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('answers malformed calls with typed errors', async () => {
    t = createTestApp('electron');
    const { candidate: ipc } = twoWindows(t.app);
    expect(await raw(ipc, 'nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
    expect(await raw(ipc, 'ping', { nonce: ['x'] })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await raw(ipc, 'ping', { nonce: 'ok' })).toMatchObject({ ok: true });
  });

  it('serves each window only its own calls, decided by the sender, not by the page', async () => {
    t = createTestApp('electron');
    const { candidate, console } = twoWindows(t.app);
    // The candidate page cannot sign into the console or read review data, even by the raw channel.
    for (const call of ['consoleSignIn', 'consoleWhoAmI', 'reviewQueue', 'adminExportCsv'])
      expect(await raw(candidate, call, {})).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN', details: { call, window: 'candidate' } },
      });
    // Nor can the console drive a candidate's session or recording.
    for (const call of ['candidateConsent', 'candidateFrame', 'mediaAppendChunk'])
      expect(await raw(console, call, {})).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN', details: { call, window: 'console' } },
      });
    // The removed second proctoring stack's calls are unknown to every window.
    for (const ipc of [candidate, console])
      expect(await raw(ipc, 'proctoringStart', { sessionId: 's' })).toMatchObject({
        ok: false,
        error: { code: 'UNKNOWN_CALL' },
      });
    // Both have the app-wide calls, and each its own.
    for (const ipc of [candidate, console])
      expect(await raw(ipc, 'getAppInfo', {})).toMatchObject({ ok: true, value: { name: 'Vigil' } });
    expect(await raw(console, 'consoleWhoAmI', {})).toMatchObject({ ok: true, value: null });
    // (Past the window check: the request itself is then checked.)
    expect(await raw(candidate, 'candidateFinishProgress', {})).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
  });

  it("sends each window only its group's events", async () => {
    t = createTestApp('electron');
    const { candidate, console } = twoWindows(t.app);
    const heard = (ipc: ReturnType<typeof fakeElectronIpc>) => {
      const events: string[] = [];
      ipc.ipcRenderer.on('vigil:event', (_e, name) => events.push(String(name)));
      return events;
    };
    const toCandidate = heard(candidate);
    const toConsole = heard(console);
    t.app.events.emit('candidateNotice', { sessionId: 's', key: 'k', active: true, message: 'm' });
    t.app.events.emit('pong', { nonce: 'n', receivedAt: new Date().toISOString() });
    expect(toCandidate).toEqual(['candidateNotice', 'pong']);
    expect(toConsole).toEqual(['pong']);
    // A closed window hears nothing more.
    console.webContents.destroyed = true;
    t.app.events.emit('pong', { nonce: 'n2', receivedAt: new Date().toISOString() });
    expect(toConsole).toEqual(['pong']);
    expect(toCandidate).toEqual(['candidateNotice', 'pong', 'pong']);
  });
});
