// Audio warning rules. The renderer measures level and voice activity (about every 100 ms); main
// decides: speech in a section that requires silence, and a microphone that went away (track ended
// or digital silence, which a live microphone never produces), and, through a watchdog the session
// drives, audio frames that stopped arriving altogether.
import { HysteresisTracker } from './hysteresis';
import type { ProctoringPolicy } from './policy';
import type { AudioFrame } from './types';
import type { WarningEmitter } from './warning-emitter';

/**
 * Speech pauses between syllables and words (a 100 ms frame often falls in one): while a speech
 * warning is pending, a voiced frame this recent still counts (a voice-activity "hangover"), so
 * talking raises it after minDurationMs as the policy means; once raised, clearAfterMs bridges
 * the pauses. Shorter than minDurationMs, so one cough stays below it.
 */
export const SPEECH_HANGOVER_MS = 500;

/** Emitter key of the watchdog's warning (its type is mic_lost). */
const GAP_KEY = 'mic_lost_no_frames';

export class AudioRules {
  private readonly speech: HysteresisTracker;
  private readonly micLost: HysteresisTracker;
  private silenceRequired: boolean;
  private lastMs = 0;
  private peakVoice = 0;
  /** Session time of the last voiced frame (see SPEECH_HANGOVER_MS). */
  private lastVoicedMs: number | null = null;
  /** Session time of the last audio frame, and whether the watchdog's mic_lost is open. */
  private lastFrameMs: number | null = null;
  private gapOpen = false;

  constructor(
    private readonly policy: ProctoringPolicy,
    private readonly emitter: WarningEmitter,
  ) {
    const minFrames = policy.minFrames;
    this.speech = new HysteresisTracker({ ...pick(policy.speech), minFrames });
    this.micLost = new HysteresisTracker({ ...pick(policy.micLost), minFrames });
    this.silenceRequired = policy.speech.enabled;
  }

  /** Sections that require silence switch speech detection on; others switch it off. */
  setSilenceRequired(required: boolean, atMs = this.lastMs): void {
    if (!required && this.silenceRequired) this.end('speech_detected', this.speech.flush(atMs));
    this.silenceRequired = required;
  }

  observe(frame: AudioFrame): void {
    this.lastMs = frame.timestampMs;
    if (this.gapOpen) {
      this.gapOpen = false;
      this.emitter.end(GAP_KEY, frame.timestampMs, 0.95, {
        gapMs: Math.round(frame.timestampMs - (this.lastFrameMs ?? frame.timestampMs)),
      });
    }
    this.lastFrameMs = frame.timestampMs;
    const { speech, micLost } = this.policy;
    if (micLost.enabled) {
      const lost = !frame.trackLive || !(frame.levelDb > micLost.silentBelowDb);
      const t = this.micLost.update(frame.timestampMs, lost, frame.trackLive ? 0.8 : 0.99);
      if (t?.kind === 'raised') {
        this.emitter.raise('mic_lost', {
          type: 'mic_lost',
          startMs: t.startMs,
          confidence: t.confidence,
          detector: 'renderer audio meter (track state, RMS level)',
          thresholds: { silentBelowDb: micLost.silentBelowDb, minDurationMs: micLost.minDurationMs },
          details: { trackLive: frame.trackLive, levelDb: round(frame.levelDb) },
        });
      } else this.end('mic_lost', t);
    }
    if (this.silenceRequired) {
      const voiced =
        frame.trackLive &&
        frame.voiceProbability >= speech.minVoiceProbability &&
        frame.levelDb >= speech.minLevelDb;
      if (voiced) {
        this.peakVoice = Math.max(this.peakVoice, frame.voiceProbability);
        this.lastVoicedMs = frame.timestampMs;
      }
      const bridged =
        !voiced &&
        !this.speech.active &&
        this.lastVoicedMs !== null &&
        frame.timestampMs - this.lastVoicedMs <= SPEECH_HANGOVER_MS;
      const t = this.speech.update(frame.timestampMs, voiced || bridged, frame.voiceProbability);
      if (t?.kind === 'raised') {
        this.emitter.raise('speech_detected', {
          type: 'speech_detected',
          startMs: t.startMs,
          confidence: t.confidence,
          detector: 'renderer voice-activity detector',
          thresholds: {
            minVoiceProbability: speech.minVoiceProbability,
            minLevelDb: speech.minLevelDb,
            minDurationMs: speech.minDurationMs,
          },
          details: { levelDb: round(frame.levelDb) },
        });
      } else if (t?.kind === 'ended') {
        this.end('speech_detected', t, { peakVoiceProbability: this.peakVoice });
        this.peakVoice = 0;
      }
    }
  }

  private end(
    key: string,
    t: ReturnType<HysteresisTracker['update']>,
    details: Record<string, unknown> = {},
  ): void {
    if (t?.kind === 'ended') this.emitter.end(key, t.endMs, t.confidence, { frames: t.frames, ...details });
  }

  /**
   * Watchdog tick with the session time now: when no audio frame has arrived for
   * micLost.noFramesAfterMs, mic_lost starts at the last frame received and ends with the next one.
   */
  checkGap(nowMs: number): void {
    const { micLost } = this.policy;
    const last = this.lastFrameMs ?? 0;
    if (!micLost.enabled || micLost.noFramesAfterMs <= 0 || this.gapOpen) return;
    if (nowMs - last < micLost.noFramesAfterMs) return;
    // A track already reported dead is one warning, not two.
    if (this.emitter.isOpen('mic_lost')) return;
    this.gapOpen = true;
    this.emitter.raise(GAP_KEY, {
      type: 'mic_lost',
      startMs: last,
      confidence: 0.95,
      detector: 'audio frame watchdog (main)',
      thresholds: { noFramesAfterMs: micLost.noFramesAfterMs },
      details: { reason: 'no_audio_frames', raisedAtMs: Math.round(nowMs) },
    });
  }

  finish(atMs = this.lastMs): void {
    if (this.gapOpen) {
      this.gapOpen = false;
      this.emitter.end(GAP_KEY, Math.max(atMs, this.lastFrameMs ?? 0), 0.95);
    }
    this.end('mic_lost', this.micLost.flush(atMs));
    this.end('speech_detected', this.speech.flush(atMs));
  }
}

function pick(section: { minDurationMs: number; clearAfterMs: number }): {
  minDurationMs: number;
  clearAfterMs: number;
} {
  return { minDurationMs: section.minDurationMs, clearAfterMs: section.clearAfterMs };
}

function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 10) / 10 : -120;
}
