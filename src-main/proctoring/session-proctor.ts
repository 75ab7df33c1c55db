// The one proctor of a candidate's session: before the interview it analyses frames for the live
// preview only; from the interview's start it runs one ProctoringSession (analyser, model schedule,
// visual and audio rules) for the whole exam, paused for breaks and resumed after them; it routes
// the shell's lockdown violations into the rules and stores every warning through one recorder.
// Everything it needs stays in memory, so a camera frame costs no database read.
import { onLockdownWarning } from '../lockdown/port';
import type { LockdownWarning, LockdownWarningType } from '../lockdown/types';
import { decodeImage } from './decode-image';
import type { FaceAnalyzer } from './face-analyzer';
import type { ProctoringPolicy } from './policy';
import { ProctoringSession } from './session';
import type { AudioFrame, WarningEvent, WarningType } from './types';
import type { WarningRecorder } from './warning-recorder';

/** Lockdown violations that the proctoring rules weigh; the others are stored as they come. */
const lockdownToProctoring: Partial<Record<LockdownWarningType, WarningType>> = {
  focus_lost: 'focus_lost',
  display_added: 'display_added',
  multiple_displays: 'display_added',
  blocked_process: 'blocked_process',
  vm_detected: 'vm_detected',
};

/** Frames are downscaled so the longer side fits the analyser's input. */
const ANALYSIS_MAX_SIDE = 640;

export interface SessionProctorOptions {
  policy: ProctoringPolicy;
  /** The shared face analyser (started on first use by the composition root). */
  analyzer: () => Promise<FaceAnalyzer>;
  recorder: WarningRecorder;
  /** Every engine warning after it is stored (the candidate's notices). */
  onWarning?: (event: WarningEvent) => void;
  /** Where lockdown violations come from (the shell's hub unless a test gives another). */
  subscribeLockdown?: (listener: (warning: LockdownWarning) => void) => () => void;
  now?: () => number;
  /**
   * The rate analysis settled on after falling behind (or catching up again), at most once per
   * RATE_NOTE_MS, for the evidence chain: the exam's own rate is chained at its start.
   */
  onRateChange?: (change: { fps: number; reason: 'analysis_behind' | 'caught_up' }) => void;
}

/** Runtime rate changes are chained at most this often (a borderline machine may oscillate). */
const RATE_NOTE_MS = 30_000;

export interface FrameResult {
  accepted: boolean;
  recommendedFps: number;
  faces: number | null;
}

export class SessionProctor {
  private session: ProctoringSession | null = null;
  private starting: Promise<void> | null = null;
  private unsubscribeLockdown: (() => void) | null = null;
  private lastFaces: number | null = null;
  private ended = false;
  private paused = false;
  /** Keys of open lockdown intervals stored by the recorder directly, so their end finds the same row. */
  private readonly direct = new Set<string>();
  /** Wall time of session time 0 (the interview's start). */
  private originMs: number;
  /** The exam's analysis rate, from the interview's start (the policy's until then). */
  private fps: number;
  private chainedRate: { fps: number; atMs: number } | null = null;

  constructor(private readonly options: SessionProctorOptions) {
    this.originMs = this.now();
    this.fps = options.policy.frames.fps;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /**
   * Starts proctoring at the interview's start, analysing at `fps` (the system check's rate) for
   * the whole exam; later calls are no-ops.
   */
  start(referenceEmbedding: number[] | null, fps?: number): Promise<void> {
    this.starting ??= (async () => {
      this.originMs = this.now();
      if (fps !== undefined) this.fps = fps;
      this.chainedRate = { fps: this.fps, atMs: this.originMs };
      // Subscribed before the analyser loads, so a violation during model start-up is not lost.
      const subscribe = this.options.subscribeLockdown ?? onLockdownWarning;
      this.unsubscribeLockdown = subscribe((warning) => this.onLockdown(warning));
      const analyzer = await this.options.analyzer();
      if (this.ended) return;
      this.session = new ProctoringSession({
        policy: this.options.policy,
        analyzer,
        referenceEmbedding,
        fps: this.fps,
        sink: (event) => this.onEngineWarning(event),
        onObservation: (observation) => (this.lastFaces = observation.faces.length),
      });
    })();
    return this.starting;
  }

  get started(): boolean {
    return this.starting !== null;
  }

  /** A captured camera JPEG: analysed by the rules during the interview, for the preview before it. */
  async frame(jpeg: Uint8Array): Promise<FrameResult> {
    const fps = this.fps;
    // During a break nothing is analysed: the candidate may leave the camera.
    if (this.paused || this.ended) return { accepted: false, recommendedFps: fps, faces: null };
    const timestampMs = this.now() - this.originMs;
    const decoded = await decodeImage(jpeg, { maxSide: ANALYSIS_MAX_SIDE, timestampMs });
    const session = this.session;
    if (session && !session.paused) {
      this.options.recorder.noteFrame(jpeg, this.now());
      const status = session.submitFrame({ ...decoded, jpeg });
      this.noteRate(status.recommendedFps);
      return { accepted: true, recommendedFps: status.recommendedFps, faces: this.lastFaces };
    }
    // Before the interview (system check): analyse now for the live preview, raise no warnings.
    const analyzer = await this.options.analyzer();
    const observation = await analyzer.analyze(decoded, { gaze: false, embedding: false });
    this.lastFaces = observation.faces.length;
    return { accepted: true, recommendedFps: fps, faces: this.lastFaces };
  }

  /** Audio levels from the renderer, timed by their own clock and placed on the session clock. */
  audio(frames: AudioFrame[]): { accepted: number } {
    const session = this.session;
    if (!session || this.paused || session.paused) return { accepted: 0 };
    const base = this.now() - this.originMs - (frames.at(-1)?.timestampMs ?? 0);
    for (const f of frames) session.submitAudio({ ...f, timestampMs: Math.max(0, base + f.timestampMs) });
    return { accepted: frames.length };
  }

  /** The candidate verified their ID after proctoring started: face_mismatch uses the new face. */
  setReferenceEmbedding(embedding: number[] | null): void {
    this.session?.setReferenceEmbedding(embedding);
  }

  /** A break starts: open warnings end now and nothing is analysed until resume. */
  pause(): Promise<void> {
    this.paused = true;
    return this.session?.pause(this.now() - this.originMs) ?? Promise.resolve();
  }

  async resume(): Promise<void> {
    this.paused = false;
    await this.session?.resume(this.now() - this.originMs);
  }

  /**
   * Ends proctoring: closes and stores open warnings. The risk is then computed from the stored
   * warnings (src-main/session/session-risk.ts), so it covers every warning the session kept.
   */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribeLockdown?.();
    this.unsubscribeLockdown = null;
    await this.starting?.catch(() => undefined);
    await this.session?.end(this.now() - this.originMs);
  }

  /** Chains a rate that differs from the last chained one, throttled (see RATE_NOTE_MS). */
  private noteRate(fps: number): void {
    const last = this.chainedRate;
    if (!last || !this.options.onRateChange || fps === last.fps) return;
    const now = this.now();
    if (now - last.atMs < RATE_NOTE_MS) return;
    this.chainedRate = { fps, atMs: now };
    this.options.onRateChange({ fps, reason: fps < last.fps ? 'analysis_behind' : 'caught_up' });
  }

  private at(ms: number): string {
    return new Date(this.originMs + ms).toISOString();
  }

  private onEngineWarning(event: WarningEvent): void {
    const { warning } = event;
    this.options.recorder.record({
      key: warning.id,
      type: warning.type,
      severity: warning.severity,
      startedAt: this.at(warning.startMs),
      endedAt: warning.endMs === null ? null : this.at(warning.endMs),
      confidence: warning.confidence,
      details: {
        ...warning.details,
        detector: warning.detector,
        modelVersions: warning.modelVersions,
        thresholds: warning.thresholds,
      },
      // A warning with no frame of its own (audio, focus, a lockdown violation) gets the camera's
      // frame at its start.
      ...(event.kind === 'raised' ? { snapshot: warning.snapshot?.jpeg ?? ('latest_frame' as const) } : {}),
    });
    this.options.onWarning?.(event);
  }

  /** The app was down mid-interview (a crash, a power loss): stored as it is, with its duration. */
  recordAppInterruption(input: {
    startedAt: string;
    endedAt: string;
    details: Record<string, unknown>;
  }): void {
    this.options.recorder.record({
      type: 'app_interrupted',
      severity: 'medium',
      startedAt: input.startedAt,
      endedAt: input.endedAt,
      confidence: 1,
      details: { ...input.details, detector: 'app' },
    });
  }

  /** A lockdown violation joins the rules (with their severities and the risk score), or is stored as it is. */
  private onLockdown(warning: LockdownWarning): void {
    const type = lockdownToProctoring[warning.type];
    // A break is the candidate's own time: leaving the window then is not a violation.
    if (type && this.paused) return;
    if (type && this.session && !(warning.key && this.direct.has(warning.key))) {
      const startMs = Math.max(0, Date.parse(warning.startedAt) - this.originMs);
      const violation = {
        type,
        startMs,
        confidence: warning.confidence,
        detector: 'lockdown',
        details: { ...warning.details, lockdownType: warning.type },
      };
      // An open interval (a program first seen) is raised now and ended when its end arrives.
      if (warning.key && warning.endedAt === null) return this.session.startViolation(warning.key, violation);
      const endMs = Math.max(startMs, Date.parse(warning.endedAt ?? warning.startedAt) - this.originMs);
      if (warning.key && this.session.endViolation(warning.key, endMs, warning.details)) return;
      this.session.recordViolation({ ...violation, endMs });
      return;
    }
    // Stored as it comes; an open interval's end updates the same row.
    if (warning.key) this.direct.add(warning.key);
    this.options.recorder.record({
      ...(warning.key ? { key: `lockdown:${warning.key}` } : {}),
      type: warning.type,
      severity: warning.severity,
      startedAt: warning.startedAt,
      endedAt: warning.endedAt,
      confidence: warning.confidence,
      details: { ...warning.details, detector: 'lockdown' },
      snapshot: 'latest_frame',
    });
  }
}
