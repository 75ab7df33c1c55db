// Turns rule transitions into ProctoringWarning objects and hands them to the sink in order.
// Raised warnings carry a JPEG snapshot of the frame that raised them: the captured JPEG itself when
// the frame came with one (camera frames from the renderer), otherwise an encode of the decoded
// pixels (video files, the CLI). Encoding is async, so emissions go through one promise chain to
// keep `raised`/`ended` in the order they happened.
import { encodeJpeg } from './decode-image';
import { severityOf, type ProctoringPolicy } from './policy';
import type { ModelVersions, ProctoringWarning, RawFrame, WarningSink, WarningType } from './types';

export interface RaiseInput {
  type: WarningType;
  startMs: number;
  confidence: number;
  detector: string;
  thresholds: ProctoringWarning['thresholds'];
  details: Record<string, unknown>;
  frame?: RawFrame;
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

export class WarningEmitter {
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;
  private readonly open = new Map<string, ProctoringWarning>();
  readonly all: ProctoringWarning[] = [];
  /** Errors from the sink or the JPEG encoder, kept instead of breaking the frame flow. */
  readonly errors: Error[] = [];

  constructor(
    private readonly sink: WarningSink,
    private readonly policy: ProctoringPolicy,
    public modelVersions: Partial<ModelVersions>,
  ) {}

  isOpen(key: string): boolean {
    return this.open.has(key);
  }

  raise(key: string, input: RaiseInput): void {
    const warning: ProctoringWarning = {
      id: `${input.type}-${++this.seq}`,
      type: input.type,
      severity: severityOf(this.policy, input.type),
      startMs: Math.round(input.startMs),
      endMs: null,
      confidence: r2(input.confidence),
      detector: input.detector,
      modelVersions: this.modelVersions,
      thresholds: input.thresholds,
      details: input.details,
    };
    this.open.set(key, warning);
    this.all.push(warning);
    const frame = input.frame;
    this.enqueue(async () => {
      if (frame) {
        warning.snapshot = {
          jpeg: frame.jpeg ?? (await encodeJpeg(frame)),
          width: frame.width,
          height: frame.height,
          timestampMs: frame.timestampMs,
        };
      }
      this.sink({ kind: 'raised', warning: { ...warning } });
    });
  }

  end(key: string, endMs: number, confidence: number, details: Record<string, unknown> = {}): void {
    const warning = this.open.get(key);
    if (!warning) return;
    this.open.delete(key);
    warning.endMs = Math.round(endMs);
    warning.confidence = r2(confidence);
    Object.assign(warning.details, details);
    this.enqueue(async () => this.sink({ kind: 'ended', warning: { ...warning } }));
  }

  /** A warning that starts and ends at once (e.g. analysis_interrupted with its gap). */
  point(input: RaiseInput & { endMs: number }): void {
    const key = `point-${this.seq + 1}`;
    this.raise(key, input);
    this.end(key, input.endMs, input.confidence);
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((error: unknown) => {
      this.errors.push(error as Error);
    });
  }

  /** Resolves when every emission so far has reached the sink. */
  drain(): Promise<void> {
    return this.chain;
  }
}
