// Entry point of the analysis worker_thread. Keeps the wasm models off main's event loop; if it
// dies, main restarts it and records the gap. No network: the tripwire goes in before any model code.
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { isVigilError } from '../errors';
import { createAnalyzerCore, type AnalyzerCore } from './analyzer-core';
import { installNetworkTripwire, networkAttempts } from './network-tripwire';
import type { FromWorker, ToWorker } from './worker-protocol';

installNetworkTripwire();
const port = parentPort;
if (!port) throw new Error('analysis-worker must run in a worker_thread');

function send(message: FromWorker): void {
  port!.postMessage(message);
}

let core: AnalyzerCore | null = null;
let frames = 0;
// Frames are analysed one at a time, in arrival order.
let queue: Promise<void> = Promise.resolve();

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'crash':
      process.exit(70);
      return;
    case 'stats': {
      const memory = core!.memory();
      send({
        type: 'stats',
        id: message.id,
        stats: {
          ...memory,
          framesAnalysed: frames,
          heapUsedBytes: getHeapStatistics().used_heap_size,
          networkAttempts: networkAttempts(),
        },
      });
      return;
    }
    case 'probe-network':
      try {
        await fetch(message.url);
        send({ type: 'probe-result', id: message.id, blocked: false, message: 'fetch succeeded' });
      } catch (error) {
        send({ type: 'probe-result', id: message.id, blocked: true, message: (error as Error).message });
      }
      return;
    case 'analyze':
      try {
        const observation = await core!.analyze(message.frame, message.options);
        frames++;
        send({ type: 'result', id: message.id, observation });
      } catch (error) {
        const e = isVigilError(error)
          ? { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) }
          : { code: 'INTERNAL', message: (error as Error).message };
        send({ type: 'error', id: message.id, error: e });
      }
      return;
  }
}

try {
  core = await createAnalyzerCore();
  port.on('message', (message: ToWorker) => {
    queue = queue.then(() => handle(message));
  });
  send({ type: 'ready', versions: core.versions });
} catch (error) {
  send({ type: 'startup-failed', message: (error as Error).message });
}
