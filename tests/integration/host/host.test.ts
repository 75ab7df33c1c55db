// The headless host for real: HTTP server, WebSocket transport and its guards on loopback.
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WindowKind } from '../../../src-preload/contract-windows';
import { connectWsBridge, type WsBridge } from '../../../src-preload/ws-bridge';
import { authorizeUpgrade } from '../../../src-main/host/authorize';
import { startHost, type RunningHost } from '../../../src-main/host/server';
import { createTestApp, type TestApp } from '../../support/app';

let t: TestApp;
let host: RunningHost;
let rendererDir: string;

beforeAll(async () => {
  t = createTestApp('host');
  rendererDir = path.join(t.dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><div id="root"></div>');
  fs.writeFileSync(path.join(t.dir, 'secret.txt'), 'not for the browser');
  host = await startHost({ app: t.app, rendererDir, logger: t.app.context.logger });
});
afterAll(async () => {
  await host.close();
  t.cleanup();
});

function bridge<W extends WindowKind = 'candidate'>(window: W = 'candidate' as W): WsBridge<W> {
  return connectWsBridge({
    url: host.wsUrl,
    token: host.token,
    window,
    createSocket: (url) => new WebSocket(url, { origin: host.origin }) as unknown as globalThis.WebSocket,
  });
}

/** Opens a raw socket and reports whether the upgrade was accepted, or the HTTP status it got. */
function tryConnect(url: string, headers: Record<string, string>): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('headless host', () => {
  it('listens on loopback only and prints a URL carrying the token in its fragment', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.url).toBe(`${host.origin}/#token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
  });

  it('round-trips a call and an event over the WebSocket', async () => {
    const b = bridge();
    await b.ready;
    const info = await b.api.getAppInfo({});
    expect(info).toMatchObject({ ok: true, value: { name: 'Vigil', mode: 'host' } });
    const event = new Promise((resolve) => b.api.on('pong', resolve));
    const reply = await b.api.ping({ nonce: 'ws-1', emitEvent: true });
    expect(reply).toMatchObject({ ok: true, value: { nonce: 'ws-1' } });
    expect(await event).toMatchObject({ nonce: 'ws-1' });
    b.close();
  });

  it('answers malformed messages with typed errors and keeps serving', async () => {
    const ws = new WebSocket(`${host.wsUrl}?window=candidate&token=${host.token}`, { origin: host.origin });
    await new Promise((resolve) => ws.once('open', resolve));
    const replies: unknown[] = [];
    ws.on('message', (data: Buffer) => replies.push(JSON.parse(data.toString())));
    const next = async (count: number) => {
      while (replies.length < count) await new Promise((r) => setTimeout(r, 10));
    };
    ws.send('this is not json');
    ws.send(JSON.stringify({ call: 'ping', request: { nonce: 'no id' } }));
    ws.send(JSON.stringify({ id: 1, call: 'launchMissiles', request: {} }));
    ws.send(JSON.stringify({ id: 2, call: 'ping', request: { nonce: 7 } }));
    ws.send(JSON.stringify({ id: 3, call: 'ping', request: { nonce: 'x'.repeat(400_000) } }));
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send(JSON.stringify({ id: 4, call: 'ping', request: { nonce: 'still alive' } }));
    await next(7);
    const byId = (id: number) => replies.filter((r) => (r as { id: number }).id === id);
    expect(byId(0)).toHaveLength(3);
    for (const r of byId(0))
      expect(r).toMatchObject({ result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    expect(byId(1)[0]).toMatchObject({ result: { ok: false, error: { code: 'UNKNOWN_CALL' } } });
    expect(byId(2)[0]).toMatchObject({ result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    expect(byId(3)[0]).toMatchObject({ result: { ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } } });
    expect(byId(4)[0]).toMatchObject({ result: { ok: true, value: { nonce: 'still alive' } } });
    ws.close();
  });

  it('rejects a wrong or missing token, another origin and a foreign Host header', async () => {
    const good = { origin: host.origin };
    const signed = `${host.wsUrl}?window=candidate&token=${host.token}`;
    expect(await tryConnect(signed, good)).toBe('open');
    expect(await tryConnect(`${host.wsUrl}?window=console&token=${host.token}`, good)).toBe('open');
    expect(
      await tryConnect(`${host.wsUrl}?window=candidate&token=${'A'.repeat(host.token.length)}`, good),
    ).toBe(401);
    expect(await tryConnect(`${host.wsUrl}`, good)).toBe(401);
    expect(await tryConnect(signed, { origin: 'https://evil.example' })).toBe(403);
    expect(await tryConnect(signed, {})).toBe(403);
    expect(await tryConnect(signed, { ...good, host: `rebind.example:${host.port}` })).toBe(403);
    // A connection must say which window it is; with the right token but no (or no such) window: 400.
    expect(await tryConnect(`${host.wsUrl}?token=${host.token}`, good)).toBe(400);
    expect(await tryConnect(`${host.wsUrl}?window=admin&token=${host.token}`, good)).toBe(400);
  });

  it('refuses peers that are not on loopback', () => {
    const facts = {
      origin: host.origin,
      host: `127.0.0.1:${host.port}`,
      url: `/vigil?window=console&token=${host.token}`,
    };
    const identity = { port: host.port, token: host.token, path: '/vigil' };
    expect(authorizeUpgrade({ ...facts, remoteAddress: '127.0.0.1' }, identity)).toEqual({
      ok: true,
      window: 'console',
    });
    expect(authorizeUpgrade({ ...facts, remoteAddress: '::ffff:127.0.0.1' }, identity)).toEqual({
      ok: true,
      window: 'console',
    });
    for (const remoteAddress of ['192.168.1.20', '10.0.0.5', '::ffff:10.0.0.5', '2001:db8::1', undefined]) {
      expect(authorizeUpgrade({ ...facts, remoteAddress }, identity)).toMatchObject({
        ok: false,
        status: 403,
      });
    }
  });

  it('serves each connection only the calls and events of the window it declared', async () => {
    const candidate = bridge('candidate');
    const console = bridge('console');
    await Promise.all([candidate.ready, console.ready]);
    expect(Object.keys(candidate.api)).not.toContain('consoleSignIn');
    expect(Object.keys(console.api)).not.toContain('candidateConsent');
    // Sent by name over the socket anyway, another window's call is refused by the host.
    const raw = new WebSocket(`${host.wsUrl}?window=candidate&token=${host.token}`, { origin: host.origin });
    await new Promise((resolve) => raw.once('open', resolve));
    const replies: { id: number; result: unknown }[] = [];
    raw.on('message', (data: Buffer) =>
      replies.push(JSON.parse(data.toString()) as { id: number; result: unknown }),
    );
    raw.send(JSON.stringify({ id: 1, call: 'consoleSignIn', request: { user: 'admin', password: 'x' } }));
    raw.send(JSON.stringify({ id: 2, call: 'generateQuestions', request: { count: 3 } }));
    raw.send(JSON.stringify({ id: 3, call: 'ping', request: { nonce: 'still here' } }));
    while (replies.length < 3) await new Promise((r) => setTimeout(r, 10));
    const byId = Object.fromEntries(replies.map((r) => [r.id, r.result]));
    expect(byId[1]).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', details: { call: 'consoleSignIn', window: 'candidate' } },
    });
    // The second interview API is gone: its calls are unknown to every window.
    expect(byId[2]).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
    expect(byId[3]).toMatchObject({ ok: true, value: { nonce: 'still here' } });
    raw.close();
    // The console's own calls and the app-wide ones work over its connection.
    expect(await console.api.consoleWhoAmI({})).toMatchObject({ ok: true, value: null });
    expect(await console.api.getAppInfo({})).toMatchObject({ ok: true, value: { name: 'Vigil' } });
    // Events go only to the windows whose group they belong to.
    const notices: unknown[] = [];
    candidate.api.on('candidateNotice', (n) => notices.push(n));
    const consoleHeard: string[] = [];
    const spy = new WebSocket(`${host.wsUrl}?window=console&token=${host.token}`, { origin: host.origin });
    await new Promise((resolve) => spy.once('open', resolve));
    spy.on('message', (data: Buffer) =>
      consoleHeard.push(String((JSON.parse(data.toString()) as { event?: string }).event)),
    );
    t.app.events.emit('candidateNotice', {
      sessionId: 's',
      key: 'k',
      active: true,
      message: 'We cannot see your face',
    });
    const pong = new Promise((resolve) => console.api.on('pong', resolve));
    await console.api.ping({ nonce: 'after-notice', emitEvent: true });
    await pong;
    while (consoleHeard.length < 1) await new Promise((r) => setTimeout(r, 10));
    expect(notices).toEqual([expect.objectContaining({ message: 'We cannot see your face' })]);
    expect(consoleHeard).toEqual(['pong']);
    spy.close();
    candidate.close();
    console.close();
  });

  it('serves the renderer with a CSP and never a file outside it', async () => {
    const page = await fetch(`${host.origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
    const route = await fetch(`${host.origin}/proctor/queue`);
    expect(await route.text()).toContain('<div id="root">');
    for (const probe of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const res = await fetch(`${host.origin}${probe}`);
      expect(await res.text()).not.toContain('not for the browser');
    }
    const post = await fetch(`${host.origin}/`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});
