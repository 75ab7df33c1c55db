// One proctored session's frame flow: frames from the renderer go through a bounded queue (oldest
// dropped and counted), the shared FaceAnalyzer, and the visual rules; audio frames and lockdown
// violations join through the same warning emitter. The recommended frame rate is the exam's rate
// (options.fps); it drops when analysis falls behind and recovers to that rate, never above it. A dead worker becomes an `analysis_interrupted`
// warning covering the gap, and analysis resumes on the restarted worker. A break pauses the
// session (open warnings end at the pause, nothing is analysed) and resume goes on with the same
// rules and warning sequence, so one session covers the whole exam.
import { isVigilError, VigilError } from '../errors';
import { AudioRules } from './audio-rules';
import type { FaceAnalyzer, Interruption } from './face-analyzer';
import { validateFrame } from './frame-validation';
import { ModelSchedule } from './model-schedule';
import type { ProctoringPolicy } from './policy';
import type {
  AudioFrame,
  FrameObservation,
  ProctoringWarning,
  RawFrame,
  WarningSink,
  WarningType,
} from './types';
import { VisualRules } from './visual-rules';
import { WarningEmitter } from './warning-emitter';

export interface FrameFlowStatus {
  received: number;
  analysed: number;
  /** Dropped because the queue was full (oldest first). */
  dropped: number;
  /** Refused by the analyser (bad frame) or lost when the worker died. */
  failed: number;
  queued: number;
  recommendedFps: number;
  meanAnalysisMs: number;
  interruptions: number;
}

export interface SessionOptions {
  policy: ProctoringPolicy;
  analyzer: FaceAnalyzer;
  sink: WarningSink;
  /** Reference face embedding of the verified candidate (enables face_mismatch). */
  referenceEmbedding?: number[] | null;
  /** Optional tap on every observation (CLI, tests, live preview). */
  onObservation?: (observation: FrameObservation) => void;
  /** Wall clock for the audio watchdog; tests inject one. */
  clock?: Clock;
  /**
   * Arm the audio watchdog at session start (audio is required from the first second). Otherwise it
   * arms with the first audio frame, so sessions that never send audio (video files) are not flagged.
   */
  expectAudio?: boolean;
  /**
   * The exam's analysis rate (the system check's decision). The rate only drops below it while
   * analysis falls behind and comes back up to it; default: the policy's `frames.fps`.
   */
  fps?: number;
}

/** Wall time and a repeating timer, injectable so the audio watchdog can be tested without waiting. */
export interface Clock {
  now(): number;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every: (ms, fn) => {
    const timer = setInterval(fn, ms);
    // Never keep the process alive just to watch for audio.
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** How often the watchdog looks for missing audio frames (a cheap comparison, no polling of I/O). */
const AUDIO_WATCHDOG_TICK_MS = 500;

export class ProctoringSession {
  private readonly queue: RawFrame[] = [];
  private readonly emitter: WarningEmitter;
  /** Violations started and not yet ended, with their confidence (see startViolation). */
  private readonly openViolations = new Map<string, number>();
  private readonly visual: VisualRules;
  private readonly audio: AudioRules;
  private readonly unsubscribe: () => void;
  private pumping: Promise<void> | null = null;
  private readonly schedule: ModelSchedule;
  /** Last audio frame: its session time and the wall time it arrived (for the watchdog). */
  private lastAudio: { atMs: number; wallMs: number } | null = null;
  private stopWatchdog: (() => void) | null = null;
  private lastAnalysedMs = 0;
  private interruptedSince: { atMs: number; interruption: Interruption } | null = null;
  /** Frames that failed since the last analysed one (the frames a crash lost). */
  private failedSinceSuccess = 0;
  private emaMs = 0;
  private closed = false;
  /** Set while a break lasts; `pausing` settles when the frames before it are analysed. */
  private pausedFlag = false;
  private pausing: Promise<void> | null = null;
  lastError: string | null = null;
  private readonly counts = { received: 0, analysed: 0, dropped: 0, failed: 0, interruptions: 0 };
  recommendedFps: number;

  constructor(private readonly options: SessionOptions) {
    const { policy } = options;
    this.emitter = new WarningEmitter(options.sink, policy, options.analyzer.versions);
    this.visual = new VisualRules(policy, this.emitter);
    this.visual.setReferenceEmbedding(options.referenceEmbedding ?? null);
    this.schedule = new ModelSchedule(policy);
    this.schedule.setReference(Boolean(options.referenceEmbedding));
    this.audio = new AudioRules(policy, this.emitter);
    this.recommendedFps = this.ceilingFps;
    this.unsubscribe = options.analyzer.onInterrupted((interruption) => this.onInterrupted(interruption));
    if (options.expectAudio) this.armWatchdog(0);
  }

  private get clock(): Clock {
    return this.options.clock ?? systemClock;
  }

  /** Starts watching for audio frames that stop arriving (policy micLost.noFramesAfterMs). */
  private armWatchdog(atMs: number): void {
    const { micLost } = this.options.policy;
    this.lastAudio = { atMs, wallMs: this.clock.now() };
    if (this.stopWatchdog || !micLost.enabled || micLost.noFramesAfterMs <= 0) return;
    this.stopWatchdog = this.clock.every(AUDIO_WATCHDOG_TICK_MS, () => {
      if (!this.lastAudio || this.closed) return;
      // Session time now, extrapolated from the last audio frame with the wall clock.
      this.audio.checkGap(this.audioNow()!);
    });
  }

  /** Session time now by the audio frames' clock (undefined before any audio). */
  private audioNow(): number | undefined {
    const last = this.lastAudio;
    return last ? last.atMs + (this.clock.now() - last.wallMs) : undefined;
  }

  /** Which models the analyser runs on this frame and why (see ModelSchedule). */
  get modelRuns(): ModelSchedule['embeddingRuns'] {
    return { ...this.schedule.embeddingRuns };
  }

  get warnings(): readonly ProctoringWarning[] {
    return this.emitter.all;
  }

  setReferenceEmbedding(embedding: number[] | null): void {
    this.visual.setReferenceEmbedding(embedding);
    this.schedule.setReference(embedding !== null);
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  /**
   * Pauses for a break: frames already queued are still analysed (they were taken before it), then
   * every open warning ends at `atMs` and the audio watchdog stops. Frames and audio are refused
   * until resume.
   */
  pause(atMs?: number): Promise<void> {
    if (this.closed || this.pausedFlag) return this.pausing ?? Promise.resolve();
    this.pausedFlag = true;
    this.pausing = (async () => {
      await this.flush();
      const audioAt = atMs ?? this.audioNow();
      this.stopWatchdog?.();
      this.stopWatchdog = null;
      this.lastAudio = null;
      this.visual.finish(atMs ?? this.lastAnalysedMs);
      this.audio.finish(audioAt);
      await this.emitter.drain();
    })();
    return this.pausing;
  }

  /** Ends the pause; the audio watchdog re-arms with the next audio frame (or now if audio is expected). */
  async resume(atMs?: number): Promise<void> {
    if (!this.pausedFlag) return;
    await this.pausing;
    this.pausing = null;
    this.pausedFlag = false;
    if (this.options.expectAudio && !this.closed) this.armWatchdog(atMs ?? this.lastAnalysedMs);
  }

  private refuseWhenStopped(): void {
    if (this.closed) throw new VigilError('CONFLICT', 'This proctoring session has ended.');
    if (this.pausedFlag) throw new VigilError('CONFLICT', 'Proctoring is paused for a break.');
  }

  /** Queues a frame for analysis. Throws a typed error for a malformed frame; never blocks. */
  submitFrame(frame: RawFrame): FrameFlowStatus {
    this.refuseWhenStopped();
    validateFrame(frame);
    this.counts.received++;
    this.queue.push(frame);
    while (this.queue.length > this.options.policy.frames.queueSize) {
      this.queue.shift();
      this.counts.dropped++;
      this.slowDown();
    }
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
    });
    return this.status();
  }

  submitAudio(frame: AudioFrame): void {
    this.refuseWhenStopped();
    this.audio.observe(frame);
    if (this.stopWatchdog && this.lastAudio)
      this.lastAudio = { atMs: frame.timestampMs, wallMs: this.clock.now() };
    else this.armWatchdog(frame.timestampMs);
  }

  /**
   * A violation reported while it lasts (a forbidden program from its first sighting): raised now,
   * ended by endViolation with the same key, or at the session's end.
   */
  startViolation(
    key: string,
    input: {
      type: WarningType;
      startMs: number;
      confidence?: number;
      detector: string;
      details?: Record<string, unknown>;
    },
  ): void {
    if (this.openViolations.has(key)) return;
    const confidence = input.confidence ?? 1;
    this.openViolations.set(key, confidence);
    this.emitter.raise(`violation:${key}`, {
      type: input.type,
      startMs: input.startMs,
      confidence,
      detector: input.detector,
      thresholds: {},
      details: input.details ?? {},
    });
  }

  /** Ends a violation started by startViolation; false when none is open under that key. */
  endViolation(key: string, endMs: number, details: Record<string, unknown> = {}): boolean {
    const confidence = this.openViolations.get(key);
    if (confidence === undefined) return false;
    this.openViolations.delete(key);
    this.emitter.end(`violation:${key}`, endMs, confidence, details);
    return true;
  }

  /** Lockdown violations and other detectors outside this engine report through here. */
  recordViolation(input: {
    type: WarningType;
    startMs: number;
    endMs: number;
    confidence?: number;
    detector: string;
    details?: Record<string, unknown>;
  }): void {
    this.emitter.point({
      type: input.type,
      startMs: input.startMs,
      endMs: input.endMs,
      confidence: input.confidence ?? 1,
      detector: input.detector,
      thresholds: {},
      details: input.details ?? {},
    });
  }

  status(): FrameFlowStatus {
    return {
      ...this.counts,
      queued: this.queue.length,
      recommendedFps: this.recommendedFps,
      meanAnalysisMs: Math.round(this.emaMs * 10) / 10,
    };
  }

  /** The rate asked for: never exceeded. */
  private get ceilingFps(): number {
    return this.options.fps ?? this.options.policy.frames.fps;
  }

  /** Backing off never goes below the policy's floor, nor below a lower configured rate. */
  private get floorFps(): number {
    return Math.min(this.options.policy.frames.minFps, this.ceilingFps);
  }

  private slowDown(): void {
    this.recommendedFps = Math.max(this.floorFps, this.recommendedFps / 2);
  }

  private adapt(analysisMs: number): void {
    this.emaMs = this.emaMs === 0 ? analysisMs : this.emaMs * 0.8 + analysisMs * 0.2;
    const fps = this.ceilingFps;
    const minFps = this.floorFps;
    const budgetMs = 1000 / this.recommendedFps;
    // Behind: analysis takes most of the interval or frames pile up. Ahead: plenty of headroom.
    if (this.emaMs > budgetMs * 0.8 || this.queue.length > 1) this.slowDown();
    else if (this.emaMs < budgetMs * 0.3 && this.queue.length === 0) {
      this.recommendedFps = Math.min(fps, Math.max(minFps, this.recommendedFps * 1.25));
    }
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const frame = this.queue.shift()!;
      const options = this.schedule.next(frame.timestampMs);
      try {
        const observation = this.schedule.carryGaze(
          await this.options.analyzer.analyze(frame, options),
          options,
        );
        this.counts.analysed++;
        this.adapt(observation.analysisMs);
        this.closeGap(frame.timestampMs);
        this.failedSinceSuccess = 0;
        this.lastAnalysedMs = frame.timestampMs;
        this.options.onObservation?.(observation);
        const judged = this.visual.observe(observation, frame);
        this.schedule.record(observation, options, judged.face_mismatch.holds);
      } catch (error) {
        this.counts.failed++;
        this.failedSinceSuccess++;
        // BAD_REQUEST: a frame the models refused. UNAVAILABLE: the worker died; onInterrupted records
        // the gap and the next frame resumes. Anything else is kept for status, never thrown from here.
        this.lastError = isVigilError(error) ? `${error.code}: ${error.message}` : String(error);
      }
    }
  }

  private onInterrupted(interruption: Interruption): void {
    this.counts.interruptions++;
    this.interruptedSince = { atMs: this.lastAnalysedMs, interruption };
  }

  /** First frame after a restart: record the gap as an analysis_interrupted warning. */
  private closeGap(nowMs: number): void {
    const gap = this.interruptedSince;
    if (!gap) return;
    this.interruptedSince = null;
    this.emitter.point({
      type: 'analysis_interrupted',
      startMs: gap.atMs,
      endMs: nowMs,
      confidence: 1,
      detector: 'analysis worker supervisor',
      thresholds: {},
      details: {
        exitCode: gap.interruption.exitCode,
        wallGapMs: (gap.interruption.restartedAt ?? Date.now()) - gap.interruption.diedAt,
        framesLost: this.failedSinceSuccess,
        ...(gap.interruption.restartError ? { restartError: gap.interruption.restartError } : {}),
      },
    });
  }

  /** Waits until every queued frame is analysed and every warning has reached the sink. */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
    await this.emitter.drain();
  }

  /** Ends the session: analyses what is queued, closes open warnings, detaches from the analyser. */
  async end(atMs?: number): Promise<ProctoringWarning[]> {
    await this.pausing;
    await this.flush();
    this.closed = true;
    this.stopWatchdog?.();
    this.stopWatchdog = null;
    this.visual.finish(atMs ?? this.lastAnalysedMs);
    this.audio.finish(atMs ?? this.audioNow());
    for (const key of [...this.openViolations.keys()])
      this.endViolation(key, atMs ?? this.lastAnalysedMs, { openAtExamEnd: true });
    this.unsubscribe();
    await this.emitter.drain();
    return [...this.emitter.all];
  }
}
