// Contract round trip over the headless host's WebSocket (schema checks included), against a bare
// WebSocket echo on the same machine as the peer: what the contract layer costs per call.
import fs from 'node:fs';
import WebSocket, { WebSocketServer } from 'ws';
import { connectWsBridge } from '../../src-preload/ws-bridge';
import { startHost } from '../../src-main/host/server';
import { createTestApp } from '../support/app';
import { percentile, writeBenchResult } from './support/result';

const CALLS = 3000;

async function bareEcho(): Promise<number[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws) => ws.on('message', (data: Buffer) => ws.send(data.toString())));
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as { port: number }).port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((r) => ws.once('open', r));
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send(JSON.stringify({ id: i + 1, call: 'ping', request: { nonce: `n${i}` } }));
    });
    times.push(performance.now() - start);
  }
  ws.close();
  server.close();
  return times;
}

async function viaContract(): Promise<number[]> {
  const t = createTestApp('host');
  const host = await startHost({ app: t.app, rendererDir: t.dir, logger: t.app.context.logger });
  const bridge = connectWsBridge({
    url: host.wsUrl,
    token: host.token,
    window: 'candidate',
    createSocket: (url) => new WebSocket(url, { origin: host.origin }) as unknown as globalThis.WebSocket,
  });
  await bridge.ready;
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    const r = await bridge.api.ping({ nonce: `n${i}` });
    if (!r.ok) throw new Error(r.error.message);
    times.push(performance.now() - start);
  }
  bridge.close();
  await host.close();
  fs.rmSync(t.dir, { recursive: true, force: true });
  return times;
}

await viaContract(); // warm-up
const bare = await bareEcho();
const contract = await viaContract();
const p50 = percentile(contract, 50);
const bareP50 = percentile(bare, 50);
writeBenchResult({
  name: 'contract-roundtrip',
  figures: {
    calls: CALLS,
    contractP50Ms: Number(p50.toFixed(3)),
    contractP99Ms: Number(percentile(contract, 99).toFixed(3)),
    bareEchoP50Ms: Number(bareP50.toFixed(3)),
    bareEchoP99Ms: Number(percentile(bare, 99).toFixed(3)),
    contractOverBareP50: Number((p50 / bareP50).toFixed(2)),
  },
  notes: 'Sequential ping calls over loopback; the peer is a bare ws echo server with the same JSON message.',
});
