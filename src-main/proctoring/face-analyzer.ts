// FaceAnalyzer: the detector behind an interface, and its implementation in a worker_thread.
// The worker is restarted when it dies; callers learn about the gap through `onInterrupted`.
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../config/worker-threads';
import { VigilError } from '../errors';
import type { ErrorCode } from '../../src-preload/contract';
import type { AnalyzeOptions } from './analyzer-core';
import type { FromWorker, ToWorker, WorkerStats } from './worker-protocol';
import type { FrameObservation, ModelVersions, RawFrame } from './types';

export interface FaceAnalyzer {
  /** Versions of the detector and models (known once the analyser has started). */
  readonly versions: ModelVersions;
  analyze(frame: RawFrame, options: AnalyzeOptions): Promise<FrameObservation>;
  stats(): Promise<WorkerStats>;
  /** Called after the analyser died and was restarted (or failed to restart); returns unsubscribe. */
  onInterrupted(listener: (interruption: Interruption) => void): () => void;
  close(): Promise<void>;
}

export interface Interruption {
  /** Wall-clock times (ms since epoch). */
  diedAt: number;
  restartedAt: number | null;
  exitCode: number;
  restartError?: string;
}

type Pending = { resolve: (value: never) => void; reject: (error: Error) => void; kind: string };

const spawnWorker = () => startWorkerThread('analysis-worker');

function waitReady(worker: Worker): Promise<ModelVersions> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromWorker): void => {
      if (message.type === 'ready') {
        cleanup();
        resolve(message.versions);
      } else if (message.type === 'startup-failed') {
        cleanup();
        reject(
          new VigilError('UNAVAILABLE', `The face analysis models could not be loaded: ${message.message}`),
        );
      }
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(
        new VigilError('UNAVAILABLE', `The face analysis worker exited during start-up (code ${code}).`),
      );
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new VigilError('UNAVAILABLE', `The face analysis worker failed to start: ${error.message}`));
    };
    function cleanup(): void {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      worker.off('error', onError);
    }
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    worker.on('error', onError);
  });
}

export class WorkerFaceAnalyzer implements FaceAnalyzer {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private restarting: Promise<void> | null = null;
  private readonly interruptListeners: ((interruption: Interruption) => void)[] = [];
  restarts = 0;

  private constructor(
    private worker: Worker,
    public versions: ModelVersions,
  ) {
    this.attach(worker);
  }

  static async start(): Promise<WorkerFaceAnalyzer> {
    const worker = spawnWorker();
    const versions = await waitReady(worker);
    return new WorkerFaceAnalyzer(worker, versions);
  }

  onInterrupted(listener: (interruption: Interruption) => void): () => void {
    this.interruptListeners.push(listener);
    return () => {
      const i = this.interruptListeners.indexOf(listener);
      if (i >= 0) this.interruptListeners.splice(i, 1);
    };
  }

  private attach(worker: Worker): void {
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', () => {
      // 'exit' follows 'error'; the restart happens there.
    });
    worker.on('exit', (code) => {
      if (worker !== this.worker || this.closed) return;
      this.onDied(code);
    });
  }

  private onMessage(message: FromWorker): void {
    if (!('id' in message)) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    switch (message.type) {
      case 'result':
        pending.resolve(message.observation as never);
        break;
      case 'stats':
        pending.resolve(message.stats as never);
        break;
      case 'probe-result':
        pending.resolve({ blocked: message.blocked, message: message.message } as never);
        break;
      case 'error':
        pending.reject(
          new VigilError(message.error.code as ErrorCode, message.error.message, message.error.details),
        );
        break;
    }
  }

  private onDied(exitCode: number): void {
    const diedAt = Date.now();
    for (const [, pending] of this.pending) {
      pending.reject(
        new VigilError('UNAVAILABLE', 'The face analysis worker stopped; it is being restarted.', {
          exitCode,
        }),
      );
    }
    this.pending.clear();
    this.restarting = (async () => {
      const interruption: Interruption = { diedAt, restartedAt: null, exitCode };
      try {
        const worker = spawnWorker();
        this.versions = await waitReady(worker);
        this.worker = worker;
        this.attach(worker);
        this.restarts++;
        interruption.restartedAt = Date.now();
        if (this.closed) await worker.terminate();
      } catch (error) {
        interruption.restartError = (error as Error).message;
      } finally {
        this.restarting = null;
      }
      for (const listener of this.interruptListeners) listener(interruption);
    })();
  }

  private async request<T>(
    message: ToWorker & { id: number },
    kind: string,
    transfer: ArrayBuffer[] = [],
  ): Promise<T> {
    if (this.closed) throw new VigilError('UNAVAILABLE', 'The face analyser is closed.');
    if (this.restarting) await this.restarting;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(message.id, { resolve: resolve, reject, kind });
      this.worker.postMessage(message, transfer);
    });
  }

  analyze(frame: RawFrame, options: AnalyzeOptions): Promise<FrameObservation> {
    // Copy into a fresh buffer and transfer it: the caller keeps its frame for snapshots.
    const data = new Uint8Array(frame.data);
    return this.request<FrameObservation>(
      { type: 'analyze', id: this.nextId++, frame: { ...frame, data }, options },
      'analyze',
      [data.buffer],
    );
  }

  stats(): Promise<WorkerStats> {
    return this.request<WorkerStats>({ type: 'stats', id: this.nextId++ }, 'stats');
  }

  /** Asks the worker to fetch `url`; the tripwire must refuse it (used by the offline test). */
  probeNetwork(url: string): Promise<{ blocked: boolean; message: string }> {
    return this.request({ type: 'probe-network', id: this.nextId++, url }, 'probe');
  }

  /** Fault injection: makes the worker exit as if it had crashed. */
  simulateCrash(): void {
    this.worker.postMessage({ type: 'crash' } satisfies ToWorker);
  }

  /** Resolves once a restart in progress (if any) has finished. */
  async settled(): Promise<void> {
    while (this.restarting) await this.restarting;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.restarting) await this.restarting.catch(() => undefined);
    for (const [, pending] of this.pending) {
      pending.reject(new VigilError('UNAVAILABLE', 'The face analyser was closed.'));
    }
    this.pending.clear();
    await this.worker.terminate();
  }
}
