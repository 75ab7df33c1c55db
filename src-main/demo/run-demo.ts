// `npm run demo`: starts the headless host on embedded defaults in a scratch data folder and drives
// the contract as the renderer would, over the real WebSocket transport. It grows with each
// capability until it runs a whole proctored session.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { connectWsBridge } from '../../src-preload/ws-bridge';
import { bootApp } from '../app/boot';
import { defaultRendererDir } from '../host/renderer-dir';
import { startHost } from '../host/server';

export interface DemoSummary {
  hostUrl: string;
  app: { version: string; mode: string };
  ping: { roundTripMs: number; eventReceived: boolean };
  readiness: { ready: boolean; blockers: number };
  lockedKeys: string[];
  rendererServed: boolean;
}

export async function runDemo(log: (line: string) => void): Promise<DemoSummary> {
  const dataDir = process.env.VIGIL_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-demo-'));
  const booted = await bootApp('host', { env: { ...process.env, VIGIL_DATA_DIR: dataDir } });
  const host = await startHost({
    app: booted.app,
    rendererDir: defaultRendererDir(),
    logger: booted.app.context.logger,
  });
  try {
    log(`Host listening at ${host.origin} (data folder ${dataDir})`);
    const page = await fetch(`${host.origin}/`);
    const rendererServed = page.ok && (await page.text()).includes('<div id="root">');
    log(rendererServed ? 'Renderer served.' : `Renderer not served (HTTP ${page.status}).`);

    const bridge = connectWsBridge({
      url: host.wsUrl,
      token: host.token,
      createSocket: (url) => new WebSocket(url, { origin: host.origin }) as unknown as globalThis.WebSocket,
    });
    await bridge.ready;
    const info = await bridge.api.getAppInfo({});
    if (!info.ok) throw new Error(info.error.message);
    log(`Connected to Vigil ${info.value.version} (${info.value.mode} mode on ${info.value.platform}).`);

    const pong = new Promise<boolean>((resolve) => {
      const off = bridge.api.on('pong', () => {
        off();
        resolve(true);
      });
      setTimeout(() => resolve(false), 2000);
    });
    const started = performance.now();
    const ping = await bridge.api.ping({ nonce: 'demo', emitEvent: true });
    const roundTripMs = performance.now() - started;
    if (!ping.ok) throw new Error(ping.error.message);
    const eventReceived = await pong;
    log(`Contract round trip ${roundTripMs.toFixed(1)} ms; event ${eventReceived ? 'received' : 'missing'}.`);

    const bad = await bridge.api.ping({ nonce: 42 } as unknown as { nonce: string });
    log(`A malformed request is answered with a typed error: ${bad.ok ? 'NO (bug)' : bad.error.code}.`);

    const config = await bridge.api.getEffectiveConfig({});
    const readiness = await bridge.api.checkExamReadiness({});
    if (!config.ok || !readiness.ok) throw new Error('config calls failed');
    log(
      `Exam readiness: ${readiness.value.ready ? 'ready' : readiness.value.blockers.map((b) => b.message).join('; ')}`,
    );
    bridge.close();
    return {
      hostUrl: host.origin,
      app: { version: info.value.version, mode: info.value.mode },
      ping: { roundTripMs: Number(roundTripMs.toFixed(2)), eventReceived },
      readiness: { ready: readiness.value.ready, blockers: readiness.value.blockers.length },
      lockedKeys: config.value.lockedKeys,
      rendererServed,
    };
  } finally {
    await host.close();
    await booted.close();
  }
}
