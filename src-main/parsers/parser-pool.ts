// UntrustedParser: parses uploads (resumes, job listings, ID card and camera images) in a
// worker_thread with heap limits, one job at a time, each under a wall-clock limit. A job that runs
// out of time or memory, or crashes the worker, is answered INVALID_DOCUMENT and the worker is
// replaced for the next job, so a hostile file cannot take main down or block later uploads.
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../config/worker-threads';
import { VigilError } from '../errors';
import { documentProblem } from './document-problem';
import type { FromParser, ParseJob, ParseResult, ParserKind } from './protocol';

export interface ParserLimits {
  /** Wall-clock limit of one job, from the moment the worker receives it. */
  timeoutMs: number;
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb: number;
  stackSizeMb: number;
  /** An idle worker is stopped after this long (its parsers' memory returned). */
  idleMs: number;
}

export const DEFAULT_PARSER_LIMITS: Record<ParserKind, ParserLimits> = {
  // pdf.js and mammoth build the whole document in memory: 384 MB fits any genuine 10 MB upload.
  document: {
    timeoutMs: 20_000,
    maxOldGenerationSizeMb: 384,
    maxYoungGenerationSizeMb: 32,
    stackSizeMb: 4,
    idleMs: 30_000,
  },
  // libvips' pixel memory is native (bounded by the pixel limit), the JS heap holds little.
  image: {
    timeoutMs: 10_000,
    maxOldGenerationSizeMb: 128,
    maxYoungGenerationSizeMb: 16,
    stackSizeMb: 4,
    idleMs: 30_000,
  },
};

/** How long a worker may take to start (tsx compiling the sources on a busy machine included). */
const STARTUP_TIMEOUT_MS = 60_000;

interface Running {
  id: number;
  resolve: (result: ParseResult) => void;
  reject: (error: Error) => void;
  name: string;
  timer: NodeJS.Timeout;
}

export class UntrustedParser {
  readonly limits: ParserLimits;
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private running: Running | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Workers started so far (a replaced worker counts again): for tests and diagnostics. */
  started = 0;

  constructor(
    readonly kind: ParserKind,
    limits: Partial<ParserLimits> = {},
  ) {
    this.limits = { ...DEFAULT_PARSER_LIMITS[kind], ...limits };
  }

  /** Runs one job; jobs queue behind each other so a limit applies to one file's parsing only. */
  parse(job: ParseJob): Promise<ParseResult> {
    const run = this.queue.then(() => this.runOne(job));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the worker; a job still running is answered UNAVAILABLE. */
  async close(): Promise<void> {
    this.clearIdle();
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    const running = this.running;
    if (running) {
      clearTimeout(running.timer);
      running.reject(
        new VigilError(
          'UNAVAILABLE',
          `Vigil stopped reading ${running.name} because it is closing. Try again.`,
        ),
      );
    }
    if (worker) await worker.terminate();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private start(): Promise<Worker> {
    if (this.ready) return this.ready;
    const ready = new Promise<Worker>((resolve, reject) => {
      const worker = startWorkerThread('parser-worker', {
        workerData: { kind: this.kind },
        resourceLimits: {
          maxOldGenerationSizeMb: this.limits.maxOldGenerationSizeMb,
          maxYoungGenerationSizeMb: this.limits.maxYoungGenerationSizeMb,
          stackSizeMb: this.limits.stackSizeMb,
        },
      });
      this.started++;
      let up = false;
      const fail = (error: Error) => {
        clearTimeout(startup);
        if (this.ready === ready) this.ready = null;
        void worker.terminate();
        reject(
          new VigilError(
            'UNAVAILABLE',
            `Vigil's file reader could not start (${error.message}). Restart Vigil and try again.`,
          ),
        );
      };
      const startup = setTimeout(
        () => fail(new Error(`it did not start within ${STARTUP_TIMEOUT_MS / 1000} s`)),
        STARTUP_TIMEOUT_MS,
      );
      worker.on('message', (message: FromParser) => {
        if (message.type === 'ready') {
          // Closed while it started: this worker is not wanted any more.
          if (this.ready !== ready) return fail(new Error('Vigil is closing'));
          clearTimeout(startup);
          up = true;
          this.worker = worker;
          resolve(worker);
        } else if (message.type === 'startup-failed') fail(new Error(message.message));
        else this.settle(message);
      });
      worker.on('error', (error) => (up ? this.died(worker, error) : fail(error)));
      worker.on('exit', (code) => {
        if (up) this.died(worker, new Error(`exit code ${code}`));
        else fail(new Error(`it exited with code ${code}`));
      });
    });
    this.ready = ready;
    return ready;
  }

  private async runOne(job: ParseJob): Promise<ParseResult> {
    this.clearIdle();
    const worker = await this.start();
    // Idle, the worker must not keep a CLI process alive; while it works, it must.
    worker.ref();
    const name = job.kind === 'document' ? job.fileName : job.name;
    try {
      return await new Promise<ParseResult>((resolve, reject) => {
        const id = this.nextId++;
        const timer = setTimeout(() => {
          this.replace(
            documentProblem(
              'timeout',
              name,
              `Reading ${name} took longer than ${this.limits.timeoutMs / 1000} s, so Vigil stopped it. The file may be damaged or built to stall readers: export it again (or take the photo again), or paste the text instead.`,
              { limitMs: this.limits.timeoutMs },
            ),
          );
        }, this.limits.timeoutMs);
        this.running = { id, resolve, reject, name, timer };
        worker.postMessage({ type: 'parse', id, job });
      });
    } finally {
      this.running = null;
      const current = this.worker;
      if (current) {
        current.unref();
        this.idleTimer = setTimeout(() => void this.close(), this.limits.idleMs);
        this.idleTimer.unref();
      }
    }
  }

  private settle(message: Exclude<FromParser, { type: 'ready' } | { type: 'startup-failed' }>): void {
    const running = this.running;
    if (!running || running.id !== message.id) return;
    clearTimeout(running.timer);
    if (message.type === 'done') running.resolve(message.result);
    else running.reject(new VigilError(message.error.code, message.error.message, message.error.details));
  }

  /** The worker died mid-job (out of memory, a crash in native code): the job fails, a new worker comes next. */
  private died(worker: Worker, error: Error & { code?: string }): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.ready = null;
    const running = this.running;
    if (!running) return;
    clearTimeout(running.timer);
    const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
    running.reject(
      documentProblem(
        outOfMemory ? 'out_of_memory' : 'corrupt',
        running.name,
        outOfMemory
          ? `Reading ${running.name} needed more than ${this.limits.maxOldGenerationSizeMb} MB of memory, so Vigil stopped it. The file may be damaged or built to exhaust memory: export it again (or take the photo again), or paste the text instead.`
          : `Reading ${running.name} failed (${error.message}). Export it again (or take the photo again), or paste the text instead.`,
        outOfMemory ? { limitMb: this.limits.maxOldGenerationSizeMb } : {},
      ),
    );
  }

  /** A job over its time: the worker is terminated and the job answered with `error`. */
  private replace(error: VigilError): void {
    const worker = this.worker;
    const running = this.running;
    this.worker = null;
    this.ready = null;
    if (running) running.reject(error);
    if (worker) void worker.terminate();
  }
}

let shared: Partial<Record<ParserKind, UntrustedParser>> = {};

/** The process's parser of each kind (started on first use, stopped when idle). */
export function sharedParser(kind: ParserKind): UntrustedParser {
  return (shared[kind] ??= new UntrustedParser(kind));
}

export async function closeSharedParsers(): Promise<void> {
  const all = Object.values(shared);
  shared = {};
  await Promise.all(all.map((p) => p.close()));
}
