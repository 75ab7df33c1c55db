// One test per item of Electron's security checklist (electronjs.org/docs/latest/tutorial/security),
// asserted on the shell's real configuration code with fakes for the Electron objects.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPC_CALL_CHANNEL } from '../../../src-preload/contract';
import { windowCallNames } from '../../../src-preload/contract-windows';
import { createElectronApi } from '../../../src-preload/electron-api';
import type { Dispatcher } from '../../../src-main/rpc/dispatcher';
import { contentSecurityPolicy } from '../../../src-main/security/csp';
import { applicationMenuTemplate } from '../../../src-main/shell/app-menu';
import { APP_ENTRY_URL, APP_ORIGIN, createAppProtocolHandler } from '../../../src-main/shell/app-protocol';
import { installCspHeaders, withoutCsp } from '../../../src-main/shell/csp-headers';
import { forbidDevTools } from '../../../src-main/shell/devtools';
import { bindContract, isTrustedSender, type InvokeEventLike } from '../../../src-main/shell/ipc-binding';
import { installNavigationGuards, type NavigationEvent } from '../../../src-main/shell/navigation';
import { installPermissionHandlers, isPermissionAllowed } from '../../../src-main/shell/permissions';
import { createCandidateWindow } from '../../../src-main/shell/window-options';
import { FakeEmitter, preventable } from '../../support/electron-fakes';

/** The options type of `new BrowserWindow(...)`, taken from the shell (tests may not import electron). */
type BrowserWindowConstructorOptions = ConstructorParameters<Parameters<typeof createCandidateWindow>[0]>[0];

class RecordingWindow {
  static last: BrowserWindowConstructorOptions | undefined;
  constructor(readonly options: BrowserWindowConstructorOptions) {
    RecordingWindow.last = options;
  }
}

const prefs = (production: boolean) =>
  createCandidateWindow(RecordingWindow, '/app/preload/candidate.cjs', { production }).options
    .webPreferences!;
const shellSource = (file: string) => fs.readFileSync(path.resolve('src-main/shell', file), 'utf8');
const allShellAndPreloadSources = () =>
  [
    ...fs.readdirSync('src-main/shell').map((f) => path.join('src-main/shell', f)),
    ...fs.readdirSync('src-preload').map((f) => path.join('src-preload', f)),
  ]
    .filter((f) => f.endsWith('.ts'))
    .map((f) => fs.readFileSync(f, 'utf8'));

describe('Electron security checklist', () => {
  it('1. only loads secure content: the app:// entry, a CSP without http: sources', () => {
    expect(APP_ENTRY_URL).toBe('app://vigil/index.html');
    expect(contentSecurityPolicy()).not.toMatch(/http:|\*/);
    expect(shellSource('main.ts')).toMatch(/privileges: \{ standard: true, secure: true/);
  });

  it('2. does not enable Node.js integration (window, workers, subframes)', () => {
    expect(prefs(true)).toMatchObject({
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
    });
  });

  it('3. enables context isolation', () => {
    expect(prefs(true).contextIsolation).toBe(true);
  });

  it('4. enables process sandboxing for the window and for every renderer', () => {
    expect(prefs(true).sandbox).toBe(true);
    expect(shellSource('main.ts')).toMatch(/^app\.enableSandbox\(\);$/m);
  });

  it('5. handles permission requests and checks: only camera and microphone, only for the app origin', () => {
    const session = {
      request: undefined as undefined | ((...a: unknown[]) => void),
      check: undefined as undefined | ((...a: unknown[]) => boolean),
      setPermissionRequestHandler(h: ((...a: never[]) => void) | null) {
        this.request = (h ?? undefined) as undefined | ((...a: unknown[]) => void);
      },
      setPermissionCheckHandler(h: ((...a: never[]) => boolean) | null) {
        this.check = (h ?? undefined) as undefined | ((...a: unknown[]) => boolean);
      },
    };
    installPermissionHandlers(session);
    const ask = (permission: string, requestingUrl: string, mediaTypes?: string[]) => {
      let granted: boolean | undefined;
      session.request!({}, permission, (g: boolean) => (granted = g), { requestingUrl, mediaTypes });
      return granted;
    };
    expect(ask('media', `${APP_ORIGIN}/index.html`, ['video', 'audio'])).toBe(true);
    expect(ask('media', 'https://evil.example/', ['video'])).toBe(false);
    for (const permission of [
      'geolocation',
      'notifications',
      'clipboard-read',
      'display-capture',
      'openExternal',
    ])
      expect(ask(permission, `${APP_ORIGIN}/index.html`)).toBe(false);
    expect(session.check!({}, 'media', APP_ORIGIN, { mediaType: 'video' })).toBe(true);
    expect(session.check!({}, 'media', 'file://', { mediaType: 'video' })).toBe(false);
    expect(isPermissionAllowed('media', APP_ORIGIN, { mediaTypes: ['video', 'screen'] })).toBe(false);
  });

  it('6. does not disable webSecurity', () => {
    expect(prefs(true).webSecurity).toBe(true);
  });

  it('7. defines a Content Security Policy on every response (protocol handler and session headers)', async () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("object-src 'none'");
    let listener:
      ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void) | undefined;
    installCspHeaders({ onHeadersReceived: (l) => (listener = l) });
    let response: unknown;
    listener!(
      { responseHeaders: { 'content-security-policy': ["script-src 'unsafe-inline'"], 'x-a': ['1'] } },
      (r) => (response = r),
    );
    expect(response).toEqual({ responseHeaders: { 'x-a': ['1'], 'Content-Security-Policy': [csp] } });
    expect(withoutCsp({ 'Content-Security-Policy': ['x'] })).toEqual({});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-proto-'));
    try {
      fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
      const res = await createAppProtocolHandler(dir)(new Request(`${APP_ORIGIN}/index.html`));
      expect(res.headers.get('content-security-policy')).toBe(csp);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('8. does not allow running insecure content', () => {
    expect(prefs(true).allowRunningInsecureContent).toBe(false);
  });

  it('9. does not enable experimental features', () => {
    expect(prefs(true).experimentalFeatures).toBe(false);
  });

  it('10. does not use enableBlinkFeatures (and disables Auxclick)', () => {
    expect(prefs(true)).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs(true).disableBlinkFeatures).toBe('Auxclick');
    for (const source of allShellAndPreloadSources()) expect(source).not.toMatch(/enableBlinkFeatures\s*:/);
  });

  it('11–12. has no <webview>: the tag is disabled and any attach attempt is blocked', () => {
    expect(prefs(true).webviewTag).toBe(false);
    const contents = new FakeEmitter() as FakeEmitter & { setWindowOpenHandler(h: unknown): void };
    contents.setWindowOpenHandler = () => undefined;
    const blocked: string[] = [];
    installNavigationGuards(contents, (url) => blocked.push(url));
    const attach = preventable();
    contents.emit('will-attach-webview', attach, 'https://evil.example/');
    expect(attach.prevented).toBe(true);
  });

  it('13. disables navigation (will-navigate and will-redirect are prevented)', () => {
    const contents = new FakeEmitter() as FakeEmitter & { setWindowOpenHandler(h: unknown): void };
    contents.setWindowOpenHandler = () => undefined;
    const blocked: string[] = [];
    installNavigationGuards(contents, (url) => blocked.push(url));
    const events: (NavigationEvent & { prevented: boolean })[] = [preventable(), preventable()];
    contents.emit('will-navigate', events[0], 'https://evil.example/');
    contents.emit('will-redirect', events[1], 'https://evil.example/next');
    expect(events.map((e) => e.prevented)).toEqual([true, true]);
    expect(blocked).toEqual(['https://evil.example/', 'https://evil.example/next']);
    expect(prefs(true).navigateOnDragDrop).toBe(false);
  });

  it('14. denies every new window', () => {
    let handler: ((d: { url: string }) => { action: string }) | undefined;
    installNavigationGuards(
      { on: () => undefined, setWindowOpenHandler: (h) => (handler = h) },
      () => undefined,
    );
    expect(handler!({ url: `${APP_ORIGIN}/index.html` })).toEqual({ action: 'deny' });
    expect(handler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('15. never calls shell.openExternal', () => {
    for (const source of allShellAndPreloadSources()) expect(source).not.toMatch(/openExternal/);
  });

  it('16. uses a current Electron (41 or later)', () => {
    const require = createRequire(import.meta.url);
    const installed = (require('electron/package.json') as { version: string }).version;
    const declared = (
      JSON.parse(fs.readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> }
    ).devDependencies.electron;
    expect(Number(installed.split('.')[0])).toBeGreaterThanOrEqual(41);
    expect(Number(/\d+/.exec(declared ?? '')?.[0])).toBeGreaterThanOrEqual(41);
  });

  it('17. validates the sender frame of every IPC call', async () => {
    const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
    const dispatched: unknown[] = [];
    const dispatcher = {
      dispatch: async (call: unknown) => {
        dispatched.push(call);
        return { ok: true, value: {} };
      },
    } as unknown as Dispatcher;
    bindContract(
      { handle: (c, l) => handlers.set(c, l), removeHandler: (c) => handlers.delete(c) },
      dispatcher,
      (id) => (id === 1 ? 'candidate' : undefined),
    );
    const invoke = handlers.get(IPC_CALL_CHANNEL)!;
    await expect(
      invoke({ senderFrame: { url: 'https://evil.example/' } }, 'ping', {}),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await expect(invoke({ senderFrame: null }, 'ping', {})).resolves.toMatchObject({ ok: false });
    await expect(invoke({ senderFrame: { url: 'file:///etc/passwd' } }, 'ping', {})).resolves.toMatchObject({
      ok: false,
    });
    const app = { senderFrame: { url: `${APP_ORIGIN}/index.html` }, sender: { id: 1 } };
    await expect(invoke(app, 'ping', {})).resolves.toEqual({ ok: true, value: {} });
    // The app's origin from contents main did not open as a window is refused too.
    await expect(invoke({ ...app, sender: { id: 2 } }, 'ping', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(dispatched).toEqual(['ping']);
    expect(isTrustedSender({ senderFrame: { url: 'app://vigil.evil/' } })).toBe(false);
  });

  describe('18. serves the renderer over app:// with a path allow-list instead of file://', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-proto-'));
      fs.mkdirSync(path.join(dir, 'renderer', 'assets'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html>');
      fs.writeFileSync(path.join(dir, 'renderer', 'assets', 'app.js'), 'export {}');
      fs.writeFileSync(path.join(dir, 'renderer', 'notes.txt'), 'not an allowed type');
      fs.writeFileSync(path.join(dir, 'secret.json'), '{"key":1}');
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('serves allowed files and refuses everything else', async () => {
      const handler = createAppProtocolHandler(path.join(dir, 'renderer'));
      const status = async (url: string, method = 'GET') =>
        (await handler(new Request(url, { method }))).status;
      expect(await status(`${APP_ORIGIN}/index.html`)).toBe(200);
      expect(await status(`${APP_ORIGIN}/assets/app.js`)).toBe(200);
      expect(await status(`${APP_ORIGIN}/notes.txt`)).toBe(404);
      expect(await status(`${APP_ORIGIN}/..%2fsecret.json`)).toBe(404);
      expect(await status(`${APP_ORIGIN}/%2e%2e/secret.json`)).toBe(404);
      expect(await status('app://other/index.html')).toBe(403);
      expect(await status(`${APP_ORIGIN}/index.html`, 'POST')).toBe(405);
      for (const source of allShellAndPreloadSources())
        expect(source).not.toMatch(/loadFile\(|loadURL\(\s*['"`]file:/);
    });
  });

  it('19. flips the fuses at package time (see electron-fuses.test.ts) through the afterPack hook', () => {
    expect(fs.existsSync('scripts/electron-fuses.cjs')).toBe(true);
  });

  it("20. exposes no Electron API to web content: one function per call of the window's group, never ipcRenderer", () => {
    const ipc = {
      invoke: async () => ({ ok: true, value: {} }),
      on: () => undefined,
      removeListener: () => undefined,
    };
    for (const window of ['candidate', 'console'] as const) {
      const api = createElectronApi(ipc, window);
      expect(Object.keys(api).sort()).toEqual([...windowCallNames(window), 'on', 'window'].sort());
      expect(api.window).toBe(window);
      expect(Object.isFrozen(api)).toBe(true);
      for (const value of Object.values(api)) expect(value).not.toBe(ipc);
    }
    const preload = fs.readFileSync('src-preload/index.ts', 'utf8');
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).toMatch(/exposeInMainWorld\('vigil', createElectronApi\(ipcRenderer, window\)\)/);
    // One preload entry per window, each exposing its own window.
    expect(fs.readFileSync('src-preload/candidate-preload.ts', 'utf8')).toMatch(
      /exposeWindowApi\('candidate'\)/,
    );
    expect(fs.readFileSync('src-preload/console-preload.ts', 'utf8')).toMatch(/exposeWindowApi\('console'\)/);
  });

  describe('and Vigil-specific hardening', () => {
    it('turns dev tools off in production (preference, menu, and closed if opened anyway)', () => {
      expect(prefs(true).devTools).toBe(false);
      expect(prefs(false).devTools).toBe(true);
      const contents = Object.assign(new FakeEmitter(), {
        closed: 0,
        closeDevTools() {
          this.closed++;
        },
      });
      let reported = 0;
      forbidDevTools(contents, true, () => reported++);
      contents.emit('devtools-opened');
      expect([contents.closed, reported]).toEqual([1, 1]);
      const dev = Object.assign(new FakeEmitter(), { closeDevTools() {} });
      forbidDevTools(dev, false, () => undefined);
      expect(dev.count()).toBe(0);
    });

    it('has no menu with reload or dev-tools accelerators', () => {
      expect(applicationMenuTemplate('win32')).toBeNull();
      expect(applicationMenuTemplate('linux')).toBeNull();
      const roles = JSON.stringify(applicationMenuTemplate('darwin'));
      expect(roles).not.toMatch(/reload|forceReload|toggleDevTools|viewMenu|windowMenu/);
      expect(shellSource('main.ts')).toMatch(/window\.removeMenu\(\)/);
    });

    it('runs a single instance and preloads only the bundled preload of each window', () => {
      expect(shellSource('main.ts')).toMatch(
        /if \((?:!debugging\.allowed \|\| )?!app\.requestSingleInstanceLock\(\)\) \{\n\s+app\.quit\(\);/,
      );
      expect(prefs(true).preload).toBe('/app/preload/candidate.cjs');
      expect(shellSource('main.ts')).toMatch(
        /createCandidateWindow\(BrowserWindow, preloadPaths\.candidate,/,
      );
      expect(shellSource('main.ts')).toMatch(/openProctorWindow\(BrowserWindow, preloadPaths\.console,/);
      expect(shellSource('main.ts')).toMatch(/new URL\('\.\.\/preload\/candidate\.cjs', import\.meta\.url\)/);
      expect(shellSource('main.ts')).toMatch(/new URL\('\.\.\/preload\/console\.cjs', import\.meta\.url\)/);
    });
  });
});
