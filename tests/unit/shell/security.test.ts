// The Electron shell's security settings, asserted through the small interfaces main.ts uses.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ORIGIN, createAppProtocolHandler } from '../../../src-main/shell/app-protocol';
import { installNavigationGuards, type WebContentsLike } from '../../../src-main/shell/navigation';
import { installPermissionHandlers, type SessionLike } from '../../../src-main/shell/permissions';
import { candidateWindowOptions } from '../../../src-main/shell/window-options';
import { makeTempDir } from '../../support/app';

describe('candidate window', () => {
  it('isolates the renderer from Node and Electron', () => {
    const prefs = candidateWindowOptions('/app/preload.cjs').webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });
});

describe('permissions', () => {
  type Req = Parameters<Parameters<SessionLike['setPermissionRequestHandler']>[0] & object>;
  type Check = Parameters<SessionLike['setPermissionCheckHandler']>[0] & object;
  let request: (...args: Req) => void = () => undefined;
  let check: Check = () => false;
  beforeAll(() => {
    installPermissionHandlers({
      setPermissionRequestHandler: (h) => void (request = h!),
      setPermissionCheckHandler: (h) => void (check = h!),
    });
  });
  const ask = (permission: string, url: string, mediaTypes?: string[]) =>
    new Promise<boolean>((resolve) => request({}, permission, resolve, { requestingUrl: url, mediaTypes }));

  it('grants camera and microphone to the app itself only', async () => {
    expect(await ask('media', `${APP_ORIGIN}/index.html`, ['video', 'audio'])).toBe(true);
    expect(await ask('media', `${APP_ORIGIN}/index.html`, ['video'])).toBe(true);
    expect(await ask('media', 'https://evil.example/', ['video'])).toBe(false);
    expect(await ask('media', 'app://other/index.html', ['audio'])).toBe(false);
    expect(await ask('media', 'file:///etc/passwd', ['audio'])).toBe(false);
  });

  it('denies every other permission, even to the app', async () => {
    for (const p of [
      'geolocation',
      'notifications',
      'clipboard-read',
      'display-capture',
      'openExternal',
      'midi',
    ]) {
      expect(await ask(p, `${APP_ORIGIN}/index.html`)).toBe(false);
    }
    expect(check({}, 'media', APP_ORIGIN, { mediaType: 'video' })).toBe(true);
    expect(check({}, 'media', 'https://evil.example', { mediaType: 'video' })).toBe(false);
    expect(check({}, 'geolocation', APP_ORIGIN, {})).toBe(false);
  });
});

describe('navigation', () => {
  it('blocks every navigation, redirect, webview and new window', () => {
    const listeners = new Map<string, (e: { preventDefault(): void }, url: string) => void>();
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    const contents: WebContentsLike = {
      on: (event, listener) => listeners.set(event, listener),
      setWindowOpenHandler: (h) => void (openHandler = h),
    };
    const blocked: string[] = [];
    installNavigationGuards(contents, (url) => blocked.push(url));
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      listeners.get(event)!({ preventDefault: () => void (prevented = true) }, 'https://evil.example/');
      expect(prevented).toBe(true);
    }
    expect(openHandler!({ url: 'https://phish.example/' })).toEqual({ action: 'deny' });
    expect(blocked).toHaveLength(4);
  });
});

describe('app:// protocol', () => {
  let dir: string;
  let handle: (r: Request) => Promise<Response>;
  beforeAll(() => {
    dir = makeTempDir('vigil-protocol-');
    fs.mkdirSync(path.join(dir, 'renderer', 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'renderer', 'index.html'), '<div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'renderer', 'notes.txt'), 'not allowed type');
    fs.writeFileSync(path.join(dir, 'secret.js'), 'outside');
    handle = createAppProtocolHandler(path.join(dir, 'renderer'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves the renderer with the CSP', async () => {
    const res = await handle(new Request(`${APP_ORIGIN}/index.html`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'.*object-src 'none'/);
    expect(await res.text()).toContain('root');
    expect((await handle(new Request(`${APP_ORIGIN}/assets/app.js`))).status).toBe(200);
  });

  it('refuses other hosts, escapes, unlisted types and writes', async () => {
    expect((await handle(new Request('app://other/index.html'))).status).toBe(403);
    expect((await handle(new Request(`${APP_ORIGIN}/../secret.js`))).status).toBe(404);
    expect((await handle(new Request(`${APP_ORIGIN}/%2e%2e/secret.js`))).status).toBe(404);
    expect((await handle(new Request(`${APP_ORIGIN}/notes.txt`))).status).toBe(404);
    expect(
      (await handle(new Request(`${APP_ORIGIN}/index.html`, { method: 'POST', body: 'x' }))).status,
    ).toBe(405);
  });
});
