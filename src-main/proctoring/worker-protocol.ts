// Messages between main and the analysis worker. Plain data only: frames travel as transferred
// ArrayBuffers, errors as contract-style {code, message, details}.
import type { AnalyzeOptions } from './analyzer-core';
import type { NetworkAttempt } from './network-tripwire';
import type { FrameObservation, ModelVersions, RawFrame } from './types';

export type ToWorker =
  | { type: 'analyze'; id: number; frame: RawFrame; options: AnalyzeOptions }
  | { type: 'stats'; id: number }
  /** Fault injection for tests: the worker exits as if it had crashed. */
  | { type: 'crash' }
  /** Self-test of the network tripwire: the worker tries to fetch `url` and reports what happened. */
  | { type: 'probe-network'; id: number; url: string };

export interface WorkerStats {
  numTensors: number;
  numBytes: number;
  framesAnalysed: number;
  /** V8 heap of the worker's isolate. */
  heapUsedBytes: number;
  networkAttempts: NetworkAttempt[];
}

export type FromWorker =
  | { type: 'ready'; versions: ModelVersions }
  | { type: 'startup-failed'; message: string }
  | { type: 'result'; id: number; observation: FrameObservation }
  | { type: 'stats'; id: number; stats: WorkerStats }
  | { type: 'probe-result'; id: number; blocked: boolean; message: string }
  | {
      type: 'error';
      id: number;
      error: { code: string; message: string; details?: Record<string, unknown> };
    };
