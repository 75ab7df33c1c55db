// The proctoring policy: thresholds, minimum durations and weights, set per exam and adjusted per
// accommodation profile (e.g. gaze checks off, longer tolerances). Every warning records the values
// that were in force, so a reviewer can see exactly what rule fired.
import { z } from 'zod';
import { SeveritySchema } from '../../src-preload/vocabulary';
import { VigilError } from '../errors';
import type { Severity, WarningType } from './types';

const severity = SeveritySchema;
const timing = {
  enabled: z.boolean(),
  /** The condition must hold this long (and over at least `minFrames` frames) before a warning. */
  minDurationMs: z.number().int().min(0),
  /** The condition must be absent this long before the warning ends (hysteresis). */
  clearAfterMs: z.number().int().min(0),
  severity,
};

export const ProctoringPolicySchema = z.object({
  /** Faces below this detector score are ignored. */
  minFaceScore: z.number().min(0).max(1),
  /** A warning is never raised from fewer frames than this (and never from one). */
  minFrames: z.number().int().min(2),
  noFace: z.object(timing),
  multipleFaces: z.object(timing),
  lookingAway: z.object({
    ...timing,
    maxYawDeg: z.number().positive(),
    maxPitchDeg: z.number().positive(),
    gazeEnabled: z.boolean(),
    maxGazeStrength: z.number().positive(),
  }),
  faceMismatch: z.object({ ...timing, minSimilarity: z.number().min(-1).max(1) }),
  cameraBlocked: z.object({
    ...timing,
    /** Mean luma at or below this reads as covered/dark. */
    maxBrightness: z.number().min(0).max(255),
    /** Luma standard deviation at or below this reads as a featureless (covered) image. */
    minContrast: z.number().min(0).max(255),
  }),
  speech: z.object({
    ...timing,
    minVoiceProbability: z.number().min(0).max(1),
    minLevelDb: z.number().max(0),
  }),
  micLost: z.object({
    ...timing,
    silentBelowDb: z.number().max(0),
    /**
     * Watchdog: no audio level/VAD frame from the renderer for this long (renderer hung, capture
     * stopped, frames blocked) raises mic_lost from the last frame received. 0 = off.
     */
    noFramesAfterMs: z.number().int().min(0),
  }),
  frames: z.object({
    /** Frames per second the renderer should send; lowered automatically when analysis lags. */
    fps: z.number().positive().max(10),
    minFps: z.number().positive(),
    /** Frames waiting for analysis beyond this are dropped, oldest first. */
    queueSize: z.number().int().min(1).max(64),
    /**
     * With a reference face set, the face-description model (the costliest) runs at least this
     * often, and also when the faces in view change; without a reference it never runs.
     */
    embeddingEveryMs: z.number().int().min(0),
    /** The iris (gaze) model runs at most this often. */
    gazeEveryMs: z.number().int().min(0),
    /**
     * The face detector re-runs at least this often; between runs the mesh tracks the faces it
     * found, unless the picture changes a lot (someone enters, the lens is covered). 0 = every frame.
     */
    detectorReuseMs: z.number().int().min(0).max(5000),
  }),
  risk: z.object({
    /** Points per warning type at confidence 1 and the reference duration. */
    weights: z.record(z.string(), z.number().min(0)),
    /** Durations count logarithmically up to this many seconds. */
    referenceDurationS: z.number().positive(),
  }),
});
export type ProctoringPolicy = z.infer<typeof ProctoringPolicySchema>;

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type PolicyOverrides = DeepPartial<ProctoringPolicy>;

export const defaultRiskWeights: Record<WarningType, number> = {
  no_face: 12,
  multiple_faces: 25,
  looking_away: 6,
  face_mismatch: 35,
  camera_blocked: 15,
  speech_detected: 10,
  mic_lost: 8,
  analysis_interrupted: 2,
  app_interrupted: 10,
  focus_lost: 10,
  display_added: 20,
  blocked_process: 25,
  vm_detected: 30,
};

export const defaultPolicy: ProctoringPolicy = {
  minFaceScore: 0.5,
  minFrames: 2,
  noFace: { enabled: true, minDurationMs: 2000, clearAfterMs: 1000, severity: 'medium' },
  multipleFaces: { enabled: true, minDurationMs: 1000, clearAfterMs: 1000, severity: 'high' },
  lookingAway: {
    enabled: true,
    minDurationMs: 2000,
    clearAfterMs: 1000,
    severity: 'low',
    maxYawDeg: 25,
    maxPitchDeg: 25,
    gazeEnabled: true,
    maxGazeStrength: 0.45,
  },
  faceMismatch: {
    enabled: true,
    minDurationMs: 3000,
    clearAfterMs: 2000,
    severity: 'high',
    minSimilarity: 0.55,
  },
  cameraBlocked: {
    enabled: true,
    minDurationMs: 2000,
    clearAfterMs: 1000,
    severity: 'high',
    maxBrightness: 25,
    minContrast: 8,
  },
  speech: {
    // Off unless the section requires silence.
    enabled: false,
    minDurationMs: 1500,
    clearAfterMs: 1000,
    severity: 'medium',
    minVoiceProbability: 0.6,
    minLevelDb: -50,
  },
  micLost: {
    enabled: true,
    minDurationMs: 3000,
    clearAfterMs: 500,
    severity: 'medium',
    silentBelowDb: -100,
    noFramesAfterMs: 5000,
  },
  frames: {
    fps: 2,
    minFps: 0.5,
    queueSize: 4,
    // The description also runs at once when the faces in view change (see model-schedule.ts), so
    // this cadence is only the backstop for a change nothing else noticed.
    embeddingEveryMs: 10_000,
    // Every third frame at 2 fps; the reading carries over to the same face in between, so a 2 s
    // gaze-off still raises looking_away after 2 s (it may start up to 1.5 s after the eyes moved).
    gazeEveryMs: 1500,
    // At 2 fps the detector runs on every fourth frame of a steady scene; a large change or a lost
    // face re-runs it at once, so only a small face appearing far away can wait up to 2 s.
    detectorReuseMs: 2000,
  },
  risk: { weights: defaultRiskWeights, referenceDurationS: 30 },
};

/** Built-in accommodation profiles; an exam may also pass its own overrides. */
export const accommodationProfiles: Record<string, PolicyOverrides> = {
  standard: {},
  /** More time before any visual warning (e.g. candidates who look at notes for a disability). */
  extended_tolerance: {
    noFace: { minDurationMs: 6000, clearAfterMs: 2000 },
    lookingAway: { minDurationMs: 8000, maxYawDeg: 40, maxPitchDeg: 35 },
    multipleFaces: { minDurationMs: 3000 },
  },
  /** Gaze and head-pose checks off (screen readers, nystagmus, assistive setups). */
  no_gaze: { lookingAway: { enabled: false, gazeEnabled: false } },
  /** A sign-language interpreter may be in the frame. */
  interpreter_present: { multipleFaces: { enabled: false } },
};

function merge<T>(base: T, patch: DeepPartial<T> | undefined): T {
  if (!patch) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? merge(current, value)
        : value;
  }
  return out as T;
}

/** Defaults < exam policy < accommodation (a profile name or explicit overrides). */
export function resolvePolicy(
  examPolicy?: PolicyOverrides,
  accommodation?: string | PolicyOverrides,
): ProctoringPolicy {
  let overrides: PolicyOverrides | undefined;
  if (typeof accommodation === 'string') {
    overrides = accommodationProfiles[accommodation];
    if (!overrides) {
      throw new VigilError('CONFIG_INVALID', `Unknown accommodation profile "${accommodation}".`, {
        known: Object.keys(accommodationProfiles),
      });
    }
  } else {
    overrides = accommodation;
  }
  const merged = merge(merge(defaultPolicy, examPolicy), overrides);
  const parsed = ProctoringPolicySchema.safeParse(merged);
  if (!parsed.success) {
    throw new VigilError('CONFIG_INVALID', 'The proctoring policy is invalid; fix the listed fields.', {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), problem: issue.message })),
    });
  }
  return parsed.data;
}

export function severityOf(policy: ProctoringPolicy, type: WarningType): Severity {
  const table: Partial<Record<WarningType, Severity>> = {
    no_face: policy.noFace.severity,
    multiple_faces: policy.multipleFaces.severity,
    looking_away: policy.lookingAway.severity,
    face_mismatch: policy.faceMismatch.severity,
    camera_blocked: policy.cameraBlocked.severity,
    speech_detected: policy.speech.severity,
    mic_lost: policy.micLost.severity,
  };
  return table[type] ?? 'medium';
}
